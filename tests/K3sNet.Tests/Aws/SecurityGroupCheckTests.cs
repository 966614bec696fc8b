using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;
using K3sNet.Ports;

namespace K3sNet.Tests.Aws
{
    /// <summary>Test-K3sSecurityGroup's reading of EC2, with the real AWSSDK.EC2 client against the emulator.</summary>
    public sealed class SecurityGroupCheckTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public async Task Finds_each_input_by_instance_id_or_private_address_in_one_DescribeInstances_per_kind_of_key()
        {
            Ec2State state = Ec2TestBed.Cluster(nodes: 4, groups: 2);
            state.Instances[3].State = "stopped";
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(state);
            using Ec2CloudNetwork ec2 = bed.Connect();
            NodeInput[] inputs =
            {
                NodeInput.ForInstance(Ec2TestBed.InstanceId(0)),
                NodeInput.ForAddress(IPAddress.Parse(Ec2TestBed.Address(1))),
                NodeInput.ForInstance("i-00000000000000bad"),
                NodeInput.From(new K3sNode { Name = "stopped", ProviderId = $"aws:///us-east-1a/{Ec2TestBed.InstanceId(3)}" })!,
            };

            IReadOnlyList<NodeMatch> matches = await new SecurityGroupCheck(ec2).FindInstancesAsync(inputs, None);

            Assert.Equal(new[] { Ec2TestBed.InstanceId(0), Ec2TestBed.InstanceId(1), null, Ec2TestBed.InstanceId(3) }, matches.Select(m => m.Instance?.InstanceId));
            Assert.Equal(new[] { null, null, null, "stopped" }, matches.Select(m => m.NotRunningState));
            Assert.Equal(2, bed.Emulator.CallCount("DescribeInstances")); // one by id, one by private address

            IReadOnlyList<AnalysisNode> nodes = SecurityGroupCheck.Nodes(matches);
            Assert.Equal(new[] { Ec2TestBed.InstanceId(0), Ec2TestBed.Address(1), "stopped" }, nodes.Select(n => n.Name));
            Assert.Equal(Ec2TestBed.Address(0), nodes[0].Address); // an instance given by id sends from its primary private address
        }

        [Fact]
        public async Task An_address_two_vpcs_share_is_the_instance_in_the_vpc_of_the_other_nodes_or_none()
        {
            Ec2State state = Ec2TestBed.Cluster(nodes: 2, groups: 1);
            state.Vpcs.Add(new VpcState { VpcId = "vpc-0b", CidrBlock = "10.0.0.0/16" });
            state.Instances.Insert(0, new InstanceState
            {
                InstanceId = "i-000000000000000b0", VpcId = "vpc-0b", SubnetId = "subnet-0c",
                PrivateIpAddress = Ec2TestBed.Address(0), GroupIds = { Ec2TestBed.GroupId(0) },
            });
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(state);
            using Ec2CloudNetwork ec2 = bed.Connect();
            var check = new SecurityGroupCheck(ec2);
            NodeInput shared = NodeInput.ForAddress(IPAddress.Parse(Ec2TestBed.Address(0)));

            IReadOnlyList<NodeMatch> withPeer = await check.FindInstancesAsync(new[] { shared, NodeInput.ForAddress(IPAddress.Parse(Ec2TestBed.Address(1))) }, None);
            NodeMatch alone = Assert.Single(await check.FindInstancesAsync(new[] { shared }, None));

            Assert.Equal(new[] { Ec2TestBed.InstanceId(0), Ec2TestBed.InstanceId(1) }, withPeer.Select(m => m.Instance?.InstanceId));
            Assert.Null(alone.Instance);
            Assert.Equal(new[] { Ec2TestBed.InstanceId(0), "i-000000000000000b0" }, alone.SameAddress.Order());
        }

        [Fact]
        public async Task Reads_the_groups_and_network_acls_once_and_judges_every_pair()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 40, groups: 4));
            using Ec2CloudNetwork ec2 = bed.Connect();
            var check = new SecurityGroupCheck(ec2);
            IReadOnlyList<NodeMatch> matches = await check.FindInstancesAsync(
                Enumerable.Range(0, 40).Select(n => NodeInput.ForInstance(Ec2TestBed.InstanceId(n))).ToList(), None);
            IReadOnlyList<AnalysisNode> nodes = SecurityGroupCheck.Nodes(matches);

            SecurityGroupAnalysis analysis = await check.ReadNetworkAsync(nodes, None);
            List<SecurityGroupVerdict> vxlan = analysis.Judge(nodes, PortMatrix.For(new PortMatrixOptions()).Where(r => r.FromPort == 8472).ToList()).ToList();

            Assert.Equal((4, 1), (analysis.GroupCount, analysis.AclCount));
            Assert.Equal(40 * 39, vxlan.Count(v => !v.Allowed)); // the cluster's groups admit only 6443 and 10250
            Assert.Equal(1, bed.Emulator.CallCount("DescribeSecurityGroups"));
            Assert.Equal(1, bed.Emulator.CallCount("DescribeNetworkAcls"));
        }

        [Fact]
        public async Task Reads_no_network_acl_when_every_node_is_in_one_subnet()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 3, groups: 1));
            using Ec2CloudNetwork ec2 = bed.Connect();
            var check = new SecurityGroupCheck(ec2);
            IReadOnlyList<NodeMatch> matches = await check.FindInstancesAsync(new[] { NodeInput.ForInstance(Ec2TestBed.InstanceId(0)), NodeInput.ForInstance(Ec2TestBed.InstanceId(2)) }, None);

            SecurityGroupAnalysis analysis = await check.ReadNetworkAsync(SecurityGroupCheck.Nodes(matches), None);

            Assert.Equal(0, analysis.AclCount);
            Assert.Equal(0, bed.Emulator.CallCount("DescribeNetworkAcls"));
        }

        [Fact]
        public void A_node_is_found_by_its_provider_id_first_else_by_its_InternalIP()
        {
            NodeInput byProvider = NodeInput.From(new K3sNode { Name = "a", ProviderId = "aws:///us-east-1a/i-0abc", InternalIP = "10.0.0.1", IsServer = true })!;
            NodeInput byAddress = NodeInput.From(new K3sNode { Name = "b", ProviderId = "k3s://b", InternalIP = "10.0.0.2", FlannelPublicIP = "203.0.113.2" })!;

            Assert.Equal(("i-0abc", K3sRole.Server), (byProvider.InstanceId, byProvider.Role));
            Assert.Equal((null, "10.0.0.2", "203.0.113.2", K3sRole.Agent), (byAddress.InstanceId, byAddress.Address, byAddress.VxlanAddress, byAddress.Role));
            Assert.Null(NodeInput.From(new K3sNode { Name = "c" }));
            Assert.Null(NodeInput.InstanceIdOf("aws:///us-east-1a/not-an-instance"));
        }

        [Fact]
        public void The_implied_matrix_defaults_to_VXLAN_and_needs_nodes()
        {
            Assert.Null(SecurityGroupCheck.ImpliedMatrix(new[] { NodeInput.ForInstance("i-0abc") }));

            PortMatrixInferenceResult? silent = SecurityGroupCheck.ImpliedMatrix(new[] { NodeInput.From(new K3sNode { Name = "a", InternalIP = "10.0.0.1" })! });
            Assert.Equal(FlannelBackend.Vxlan, silent?.Options.FlannelBackend);
            // The verbose account says what was judged, and why: not "backend none" over a VXLAN judgement.
            Assert.StartsWith("From 1 node(s): flannel backend vxlan (k3s's default: no node publishes one);", silent?.Summary, StringComparison.Ordinal);

            PortMatrixInferenceResult? wireguard = SecurityGroupCheck.ImpliedMatrix(new[]
            {
                NodeInput.From(new K3sNode { Name = "a", InternalIP = "10.0.0.1", FlannelBackend = FlannelBackend.WireguardNative })!,
            });
            Assert.Equal(FlannelBackend.WireguardNative, wireguard?.Options.FlannelBackend);
            Assert.DoesNotContain("default", wireguard?.Summary, StringComparison.Ordinal);
        }
    }
}
