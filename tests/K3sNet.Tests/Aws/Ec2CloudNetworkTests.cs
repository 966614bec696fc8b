using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>The real AWSSDK.EC2 client against the emulator: what K3sNet relies on from EC2's wire behaviour.</summary>
    public sealed class Ec2CloudNetworkTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public async Task Finds_instances_by_id_and_by_private_address_in_one_call_each()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 300, groups: 3));
            using Ec2CloudNetwork ec2 = bed.Connect();

            IReadOnlyList<Ec2Instance> byId = await ec2.DescribeInstancesAsync(new[] { Ec2TestBed.InstanceId(0), Ec2TestBed.InstanceId(299), "i-00000000000000bad" }, Array.Empty<string>(), None);
            IReadOnlyList<Ec2Instance> byAddress = await ec2.DescribeInstancesAsync(Array.Empty<string>(), Ec2TestBed.Addresses(150), None);

            Assert.Equal(new[] { Ec2TestBed.InstanceId(0), Ec2TestBed.InstanceId(299) }, byId.Select(i => i.InstanceId).Order());
            Assert.Equal(150, byAddress.Count);
            Ec2Instance first = byAddress.Single(i => i.InstanceId == Ec2TestBed.InstanceId(1));
            Assert.Equal("subnet-0b", first.SubnetId);
            Assert.Equal(new[] { Ec2TestBed.GroupId(1) }, first.GroupIds);
            Assert.Equal(new[] { Ec2TestBed.Address(1) }, first.PrivateIpAddresses);
            Assert.Equal(2, bed.Emulator.CallCount("DescribeInstances"));
        }

        [Fact]
        public async Task Follows_pages_of_reservations_and_splits_filters_at_200_values()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 1100, groups: 2));
            using Ec2CloudNetwork ec2 = bed.Connect();

            IReadOnlyList<Ec2Instance> all = await ec2.DescribeInstancesAsync(Array.Empty<string>(), Ec2TestBed.Addresses(1100), None);

            Assert.Equal(1100, all.Select(i => i.InstanceId).Distinct().Count());
            Assert.Equal(6, bed.Emulator.CallCount("DescribeInstances")); // 1,100 addresses in filters of at most 200
        }

        [Fact]
        public async Task Reads_every_kind_of_source_a_rule_can_have()
        {
            Ec2State state = Ec2TestBed.Cluster(nodes: 2, groups: 1);
            state.SecurityGroups[0].Ingress.AddRange(new[]
            {
                new RuleState { IpProtocol = "udp", FromPort = 8472, ToPort = 8472, CidrIpv4 = "10.0.0.0/16", Description = "vpc" },
                new RuleState { IpProtocol = "udp", FromPort = 8472, ToPort = 8472, CidrIpv6 = "2001:db8::/56" },
                new RuleState { IpProtocol = "tcp", FromPort = 5001, ToPort = 5001, PrefixListId = "pl-0123" },
                new RuleState { IpProtocol = "-1" , CidrIpv4 = "10.9.0.0/16" },
            });
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(state);
            using Ec2CloudNetwork ec2 = bed.Connect();

            Ec2SecurityGroup group = Assert.Single(await ec2.DescribeSecurityGroupsAsync(new[] { Ec2TestBed.GroupId(0), "sg-0000000000000dead" }, None));

            Assert.Contains(group.Ingress, r => r.IpProtocol == "udp" && r.CidrIpv4 == "10.0.0.0/16" && r.Description == "vpc");
            Assert.Contains(group.Ingress, r => r.CidrIpv6 == "2001:db8::/56" && r.FromPort == 8472);
            Assert.Contains(group.Ingress, r => r.PrefixListId == "pl-0123" && r.FromPort == 5001);
            Assert.Contains(group.Ingress, r => r.IpProtocol == "-1" && r.FromPort is null && r.CidrIpv4 == "10.9.0.0/16");
            Assert.Contains(group.Ingress, r => r.ReferencedGroupId == Ec2TestBed.GroupId(0) && r.FromPort == 6443);
        }

        [Fact]
        public async Task Authorize_sends_group_sources_as_Groups_N_GroupId_and_returns_the_new_rule_ids()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 2));
            using Ec2CloudNetwork ec2 = bed.Connect();
            var rules = new[]
            {
                SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, Ec2TestBed.GroupId(1), "k3s vxlan (K3sNet)"),
                SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "100.68.0.18/18", "k3s vxlan (K3sNet)"),
                SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "2001:db8:1::/64", "k3s vxlan (K3sNet)"),
            };

            IReadOnlyList<SecurityGroupRule> added = await ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), rules, dryRun: false, None);

            Assert.Equal(3, added.Count);
            Assert.All(added, r => Assert.StartsWith("sgr-", r.RuleId));
            SecurityGroupState group = bed.Emulator.Snapshot().SecurityGroups[0];
            Assert.Contains(group.Ingress, r => r.ReferencedGroupId == Ec2TestBed.GroupId(1) && r.IpProtocol == "udp" && r.Description == "k3s vxlan (K3sNet)");
            Assert.Contains(group.Ingress, r => r.CidrIpv4 == "100.68.0.0/18"); // canonical, as EC2 stores it
            Assert.Contains(group.Ingress, r => r.CidrIpv6 == "2001:db8:1::/64");
        }

        [Fact]
        public async Task Authorize_is_atomic_and_a_non_canonical_copy_is_a_duplicate()
        {
            Ec2State state = Ec2TestBed.Cluster(nodes: 2, groups: 1);
            state.SecurityGroups[0].Ingress.Add(new RuleState { IpProtocol = "udp", FromPort = 8472, ToPort = 8472, CidrIpv4 = "100.68.0.0/18" });
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(state);
            using Ec2CloudNetwork ec2 = bed.Connect();
            var rules = new[]
            {
                SecurityGroupRule.From(TrafficProtocol.Tcp, 5001, 5001, "10.0.0.0/16", null),
                new SecurityGroupRule("udp", 8472, 8472, CidrIpv4: "100.68.0.18/18"),
            };

            Ec2ApiException error = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), rules, false, None));

            Assert.Equal("InvalidPermission.Duplicate", error.ErrorCode);
            Assert.Equal(400, error.StatusCode);
            Assert.DoesNotContain(bed.Emulator.Snapshot().SecurityGroups[0].Ingress, r => r.FromPort == 5001);
        }

        [Fact]
        public async Task Authorize_refuses_the_same_permission_twice_in_one_call_and_the_61st_rule()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            using Ec2CloudNetwork ec2 = bed.Connect();
            SecurityGroupRule once = SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "10.0.0.0/16", null);
            SecurityGroupRule[] many = Enumerable.Range(0, 59).Select(i => SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, $"10.1.{i}.0/24", null)).ToArray();

            Ec2ApiException twice = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), new[] { once, once }, false, None));
            Ec2ApiException limit = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), many, false, None));

            Assert.Equal("InvalidParameterValue", twice.ErrorCode);
            Assert.Equal("RulesPerSecurityGroupLimitExceeded", limit.ErrorCode);
            Assert.Equal(2, bed.Emulator.Snapshot().SecurityGroups[0].Ingress.Count); // the group's 6443 and 10250 rules only
        }

        [Fact]
        public async Task DryRun_checks_permission_without_changing_anything()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            using Ec2CloudNetwork ec2 = bed.Connect();
            SecurityGroupRule rule = SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "10.0.0.0/16", null);

            IReadOnlyList<SecurityGroupRule> allowed = await ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), new[] { rule }, dryRun: true, None);
            bed.Emulator.Deny("AuthorizeSecurityGroupIngress");
            Ec2ApiException denied = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), new[] { rule }, dryRun: true, None));

            Assert.Empty(allowed);
            Assert.Equal("UnauthorizedOperation", denied.ErrorCode);
            Assert.Equal(403, denied.StatusCode);
            Assert.Equal("ec2:AuthorizeSecurityGroupIngress", denied.IamAction);
            Assert.Equal(2, bed.Emulator.Snapshot().SecurityGroups[0].Ingress.Count);
        }

        [Fact]
        public async Task Survives_two_throttled_calls_with_standard_retries()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 4, groups: 2));
            using Ec2CloudNetwork ec2 = bed.Connect();
            bed.Emulator.ThrottleNext(2, "DescribeSecurityGroups");

            IReadOnlyList<Ec2SecurityGroup> groups = await ec2.DescribeSecurityGroupsAsync(new[] { Ec2TestBed.GroupId(0), Ec2TestBed.GroupId(1) }, None);

            Assert.Equal(2, groups.Count);
            Assert.Equal(3, bed.Emulator.CallCount("DescribeSecurityGroups"));
        }

        [Fact]
        public async Task Throttling_beyond_the_retries_surfaces_as_RequestLimitExceeded()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            using Ec2CloudNetwork ec2 = bed.Connect();
            bed.Emulator.ThrottleNext(3, "DescribeNetworkAcls");

            Ec2ApiException error = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.DescribeNetworkAclsAsync(new[] { "subnet-0a" }, None));

            Assert.Equal("RequestLimitExceeded", error.ErrorCode);
            Assert.Equal(503, error.StatusCode);
        }

        [Fact]
        public async Task Revoke_by_rule_id_removes_the_rule_and_an_unknown_id_removes_nothing()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            using Ec2CloudNetwork ec2 = bed.Connect();
            IReadOnlyList<(string GroupId, SecurityGroupRule Rule)> rules = await ec2.DescribeIngressRulesAsync(new[] { Ec2TestBed.GroupId(0) }, None);
            string kubelet = rules.Single(r => r.Rule.FromPort == 10250).Rule.RuleId!;
            string api = rules.Single(r => r.Rule.FromPort == 6443).Rule.RuleId!;

            Ec2ApiException missing = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.RevokeIngressAsync(Ec2TestBed.GroupId(0), new[] { api, "sgr-00000000000000bad" }, false, None));
            Assert.True(missing.IsNotFound);
            Assert.Equal(2, bed.Emulator.Snapshot().SecurityGroups[0].Ingress.Count);

            await ec2.RevokeIngressAsync(Ec2TestBed.GroupId(0), new[] { kubelet }, false, None);
            Assert.Equal(new[] { 6443 }, bed.Emulator.Snapshot().SecurityGroups[0].Ingress.Select(r => r.FromPort!.Value));
        }

        [Fact]
        public async Task Reads_network_acls_by_subnet()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            using Ec2CloudNetwork ec2 = bed.Connect();

            Ec2NetworkAcl acl = Assert.Single(await ec2.DescribeNetworkAclsAsync(new[] { "subnet-0b" }, None));

            Assert.Equal("acl-0default", acl.NetworkAclId);
            Assert.Equal(new[] { "subnet-0a", "subnet-0b" }, acl.SubnetIds);
            Assert.Contains(acl.Entries, e => e.RuleNumber == 32767 && !e.Allow && e.Egress);
        }

        [Fact]
        public async Task An_unsigned_request_gets_AuthFailure()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 1));
            using var http = new HttpClient();
            using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "DescribeVpcs", ["Version"] = "2016-11-15" });

            HttpResponseMessage response = await http.PostAsync(bed.Emulator.ServiceUrl, body);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("<Code>AuthFailure</Code>", await response.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task Calls_the_change_hook_after_every_change_with_the_new_state()
        {
            var seen = new List<string>();
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            bed.Emulator.OnChange = seen.Add;
            using Ec2CloudNetwork ec2 = bed.Connect();

            await ec2.DescribeSecurityGroupsAsync(new[] { Ec2TestBed.GroupId(0) }, None);
            await ec2.AuthorizeIngressAsync(Ec2TestBed.GroupId(0), new[] { SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "10.0.0.0/16", null) }, false, None);

            string json = Assert.Single(seen);
            Assert.Contains("8472", Ec2State.Parse(json).SecurityGroups[0].Ingress.Select(r => r.FromPort?.ToString()));
        }
    }
}
