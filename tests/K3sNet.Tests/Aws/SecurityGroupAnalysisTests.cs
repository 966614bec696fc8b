using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Aws;
using K3sNet.Ports;

namespace K3sNet.Tests.Aws
{
    public sealed class SecurityGroupAnalysisTests
    {
        private static readonly IReadOnlyList<PortRequirement> Vxlan =
            PortMatrix.For(new PortMatrixOptions()).Where(r => r.FromPort == 8472).ToList();

        private static Ec2Instance Instance(string id, string ip, string group, string subnet = "subnet-a", string vpc = "vpc-1", string? ipv6 = null) =>
            new(id, "running", vpc, subnet, ip, null, new[] { ip }, ipv6 is null ? Array.Empty<string>() : new[] { ipv6 }, new[] { group });

        private static AnalysisNode Node(string name, Ec2Instance instance, K3sRole role = K3sRole.Agent, string? vxlan = null) =>
            new(name, role, instance.PrivateIpAddress, vxlan, instance.Ipv6Addresses.FirstOrDefault(), instance);

        private static SecurityGroupAnalysis Analysis(IEnumerable<Ec2SecurityGroup> groups, params Ec2NetworkAcl[] acls) =>
            new(groups.ToDictionary(g => g.GroupId), acls);

        [Fact]
        public void A_group_reference_admits_the_private_address_of_an_instance_in_that_group()
        {
            var groups = new[]
            {
                new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[] { new SecurityGroupRule("udp", 8472, 8472, ReferencedGroupId: "sg-b") }),
                new Ec2SecurityGroup("sg-b", "b", "vpc-1", Array.Empty<SecurityGroupRule>()),
            };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"));
            AnalysisNode b = Node("b", Instance("i-b", "10.0.0.2", "sg-b"));

            List<SecurityGroupVerdict> verdicts = Analysis(groups).Judge(new[] { a, b }, Vxlan).ToList();

            SecurityGroupVerdict bToA = verdicts.Single(v => v.Source == "b");
            SecurityGroupVerdict aToB = verdicts.Single(v => v.Source == "a");
            Assert.True(bToA.Allowed);
            Assert.False(aToB.Allowed);
            Assert.Equal(SecurityGroupVerdictStatus.Blocked, aToB.Status);
            Assert.Equal("sg-b", aToB.GroupId);
            Assert.Equal("sg-b", aToB.BlockedBy);
            Assert.Equal("sg-a", aToB.SuggestedSource); // the source's own group: both private, one VPC
            Assert.Equal("10.0.0.1", aToB.SourceAddress);
            Assert.Equal("10.0.0.2", aToB.DestinationAddress);
        }

        [Fact]
        public void A_group_reference_does_not_admit_a_public_flannel_address_and_the_fix_is_a_32()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[] { new SecurityGroupRule("udp", 8472, 8472, ReferencedGroupId: "sg-a") }) };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"), vxlan: "203.0.113.1");
            AnalysisNode b = Node("b", Instance("i-b", "10.0.0.2", "sg-a"), vxlan: "203.0.113.2");

            List<SecurityGroupVerdict> verdicts = Analysis(groups).Judge(new[] { a, b }, Vxlan).ToList();

            Assert.All(verdicts, v => Assert.False(v.Allowed));
            Assert.Equal("203.0.113.1/32", verdicts.Single(v => v.Source == "a").SuggestedSource);
        }

        [Fact]
        public void A_cidr_admits_the_addresses_it_contains_and_ipv6_rules_are_judged_for_ipv6_sources()
        {
            var groups = new[]
            {
                new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[]
                {
                    new SecurityGroupRule("udp", 8472, 8472, CidrIpv4: "10.0.0.0/24"),
                    new SecurityGroupRule("udp", 8472, 8472, CidrIpv6: "2001:db8:0:1::/64"),
                }),
            };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a", ipv6: "2001:db8:0:1::a"));
            AnalysisNode b = Node("b", Instance("i-b", "10.0.1.2", "sg-a", ipv6: "2001:db8:0:2::b"));
            PortRequirement dualStack = PortMatrix.For(new PortMatrixOptions { IPv6 = true }).Single(r => r.FromPort == 8472);

            List<SecurityGroupVerdict> verdicts = Analysis(groups).Judge(new[] { a, b }, new[] { dualStack }).ToList();

            Assert.Equal(4, verdicts.Count);
            Assert.True(verdicts.Single(v => v.SourceAddress == "10.0.0.1").Allowed);
            Assert.False(verdicts.Single(v => v.SourceAddress == "10.0.1.2").Allowed);
            Assert.True(verdicts.Single(v => v.SourceAddress == "2001:db8:0:1::a").Allowed);
            SecurityGroupVerdict v6 = verdicts.Single(v => v.SourceAddress == "2001:db8:0:2::b");
            Assert.False(v6.Allowed);
            Assert.Equal("2001:db8:0:2::b", v6.SourceAddress);
        }

        [Fact]
        public void Over_ipv6_vxlan_uses_flannels_public_ipv6_and_other_flows_the_nodes_own_address()
        {
            var groups = new[]
            {
                new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[]
                {
                    new SecurityGroupRule("udp", 8472, 8472, CidrIpv6: "2001:db8:f::/48"),
                    new SecurityGroupRule("tcp", 10250, 10250, CidrIpv6: "2001:db8:0::/48"),
                }),
            };
            AnalysisNode a = new("a", K3sRole.Agent, "10.0.0.1", null, "2001:db8:0:1::a", Instance("i-a", "10.0.0.1", "sg-a", ipv6: "2001:db8:0:1::a"), "2001:db8:f:1::a");
            AnalysisNode b = new("b", K3sRole.Agent, "10.0.0.2", null, "2001:db8:0:1::b", Instance("i-b", "10.0.0.2", "sg-a", ipv6: "2001:db8:0:1::b"), "2001:db8:f:1::b");
            List<PortRequirement> matrix = PortMatrix.For(new PortMatrixOptions { IPv6 = true }).Where(r => r.FromPort is 8472 or 10250).ToList();

            List<SecurityGroupVerdict> verdicts = Analysis(groups).Judge(new[] { a, b }, matrix)
                .Where(v => v.SourceAddress!.Contains(':', StringComparison.Ordinal)).ToList();

            Assert.Equal(new[] { "2001:db8:f:1::a", "2001:db8:f:1::b" }, verdicts.Where(v => v.FromPort == 8472).Select(v => v.SourceAddress).Order());
            Assert.Equal(new[] { "2001:db8:0:1::a", "2001:db8:0:1::b" }, verdicts.Where(v => v.FromPort == 10250).Select(v => v.SourceAddress).Order());
            Assert.All(verdicts, v => Assert.True(v.Allowed, v.Reason));
        }

        [Fact]
        public void A_prefix_list_rule_is_reported_as_unknown()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[] { new SecurityGroupRule("udp", 8472, 8472, PrefixListId: "pl-0abc") }) };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"));
            AnalysisNode b = Node("b", Instance("i-b", "10.0.0.2", "sg-a"));

            SecurityGroupVerdict verdict = Analysis(groups).Judge(new[] { a, b }, Vxlan).First();

            Assert.Equal(SecurityGroupVerdictStatus.Unknown, verdict.Status);
            Assert.False(verdict.Allowed);
            Assert.Contains("pl-0abc", verdict.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void A_nacl_deny_between_subnets_is_found_and_named_even_when_the_group_admits_the_flow()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[] { new SecurityGroupRule("-1", null, null, ReferencedGroupId: "sg-a") }) };
            var acl = new Ec2NetworkAcl("acl-1", "vpc-1", new[]
            {
                new NetworkAclEntry(90, "17", false, false, "10.0.1.0/24", null, 8472, 8472),
                new NetworkAclEntry(100, "-1", true, false, "0.0.0.0/0", null, null, null),
                new NetworkAclEntry(100, "-1", true, true, "0.0.0.0/0", null, null, null),
            }, new[] { "subnet-a", "subnet-b" });
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a", subnet: "subnet-a"));
            AnalysisNode b = Node("b", Instance("i-b", "10.0.1.2", "sg-a", subnet: "subnet-b"));

            List<SecurityGroupVerdict> verdicts = Analysis(groups, acl).Judge(new[] { a, b }, Vxlan).ToList();

            SecurityGroupVerdict bToA = verdicts.Single(v => v.Source == "b");
            Assert.False(bToA.Allowed);
            Assert.StartsWith("acl-1 inbound rule 90", bToA.BlockedBy, StringComparison.Ordinal);
            Assert.True(verdicts.Single(v => v.Source == "a").Allowed);
        }

        [Fact]
        public void Tcp_between_subnets_also_needs_the_reply_to_ephemeral_ports_and_vxlan_needs_only_8472()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[] { new SecurityGroupRule("-1", null, null, ReferencedGroupId: "sg-a") }) };
            var portsOnly = new List<NetworkAclEntry>
            {
                new(100, "17", true, false, "10.0.0.0/16", null, 8472, 8472),
                new(100, "17", true, true, "10.0.0.0/16", null, 8472, 8472),
                new(110, "6", true, false, "10.0.0.0/16", null, 10250, 10250),
                new(110, "6", true, true, "10.0.0.0/16", null, 10250, 10250),
            };
            var withReplies = new List<NetworkAclEntry>(portsOnly)
            {
                new(120, "6", true, false, "10.0.0.0/16", null, 32768, 60999),
                new(120, "6", true, true, "10.0.0.0/16", null, 32768, 60999),
            };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a", subnet: "subnet-a"));
            AnalysisNode b = Node("b", Instance("i-b", "10.0.1.2", "sg-a", subnet: "subnet-b"));
            List<PortRequirement> matrix = PortMatrix.For(new PortMatrixOptions()).Where(r => r.FromPort is 8472 or 10250).ToList();
            List<SecurityGroupVerdict> Judge(List<NetworkAclEntry> entries) =>
                Analysis(groups, new Ec2NetworkAcl("acl-1", "vpc-1", entries, new[] { "subnet-a", "subnet-b" })).Judge(new[] { a, b }, matrix).ToList();

            List<SecurityGroupVerdict> noReplies = Judge(portsOnly);

            Assert.All(noReplies.Where(v => v.FromPort == 8472), v => Assert.True(v.Allowed));
            SecurityGroupVerdict kubelet = noReplies.Single(v => v.FromPort == 10250 && v.Source == "a");
            Assert.False(kubelet.Allowed);
            Assert.Equal("acl-1 outbound rule * (no entry allows tcp/32768-60999 to 10.0.0.1)", kubelet.BlockedBy);
            Assert.All(Judge(withReplies), v => Assert.True(v.Allowed));
        }

        [Fact]
        public void Nodes_in_one_subnet_never_cross_a_nacl()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "a", "vpc-1", new[] { new SecurityGroupRule("udp", 8472, 8472, ReferencedGroupId: "sg-a") }) };
            var denyAll = new Ec2NetworkAcl("acl-1", "vpc-1", new[] { new NetworkAclEntry(1, "-1", false, false, "0.0.0.0/0", null, null, null) }, new[] { "subnet-a" });
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"));
            AnalysisNode b = Node("b", Instance("i-b", "10.0.0.2", "sg-a"));

            Assert.All(Analysis(groups, denyAll).Judge(new[] { a, b }, Vxlan), v => Assert.True(v.Allowed));
        }

        [Fact]
        public void Work_grows_with_distinct_configurations_not_with_node_pairs()
        {
            var groups = Enumerable.Range(0, 5).Select(g => new Ec2SecurityGroup($"sg-{g}", $"{g}", "vpc-1",
                Enumerable.Range(0, 5).Select(o => new SecurityGroupRule("udp", 8472, 8472, ReferencedGroupId: $"sg-{o}")).ToArray())).ToArray();
            List<AnalysisNode> nodes = Enumerable.Range(0, 200)
                .Select(n => Node($"n{n}", Instance($"i-{n}", $"10.0.{n / 200}.{n % 200 + 1}", $"sg-{n % 5}"))).ToList();
            SecurityGroupAnalysis analysis = Analysis(groups);

            int verdicts = analysis.Judge(nodes, Vxlan).Count(v => v.Allowed);

            Assert.Equal(200 * 199, verdicts);
            Assert.True(analysis.DistinctDecisions <= 5 * 200, $"{analysis.DistinctDecisions} decisions for 200 nodes in 5 groups");
        }

        [Fact]
        public void Reports_a_cluster_only_port_open_to_the_world_as_an_exposure()
        {
            var groups = new[]
            {
                new Ec2SecurityGroup("sg-a", "k3s", "vpc-1", new[]
                {
                    new SecurityGroupRule("tcp", 10250, 10250, CidrIpv6: "::/0"),
                    new SecurityGroupRule("tcp", 6443, 6443, CidrIpv4: "0.0.0.0/0"),
                }),
            };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"));

            SecurityGroupVerdict exposure = Assert.Single(Analysis(groups).Exposures(new[] { a }, PortMatrix.For(new PortMatrixOptions())));

            Assert.Equal(SecurityGroupVerdictStatus.Exposed, exposure.Status);
            Assert.Equal(10250, exposure.FromPort);
            Assert.Equal("::/0", exposure.Source);
            Assert.Equal("sg-a", exposure.GroupId);
        }

        [Fact]
        public void A_world_rule_that_opens_only_part_of_a_cluster_only_range_is_an_exposure()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "k3s", "vpc-1", new[] { new SecurityGroupRule("tcp", 2379, 2379, CidrIpv4: "0.0.0.0/0") }) };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"), K3sRole.Server);

            SecurityGroupVerdict exposure = Assert.Single(Analysis(groups).Exposures(new[] { a }, PortMatrix.For(new PortMatrixOptions { EmbeddedEtcd = true })));

            Assert.Equal(2379, exposure.FromPort);
            Assert.Equal(2380, exposure.ToPort);
            Assert.Equal("0.0.0.0/0", exposure.Source);
            Assert.Contains("tcp/2379 from 0.0.0.0/0", exposure.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void A_world_rule_for_one_port_is_no_exposure_of_host_gw_all_traffic()
        {
            var groups = new[] { new Ec2SecurityGroup("sg-a", "k3s", "vpc-1", new[] { new SecurityGroupRule("tcp", 22, 22, CidrIpv4: "0.0.0.0/0") }) };
            AnalysisNode a = Node("a", Instance("i-a", "10.0.0.1", "sg-a"));

            Assert.Empty(Analysis(groups).Exposures(new[] { a }, PortMatrix.For(new PortMatrixOptions { FlannelBackend = FlannelBackend.HostGw })));
        }
    }
}
