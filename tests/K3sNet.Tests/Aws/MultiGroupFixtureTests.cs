using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;
using K3sNet.Ports;

namespace K3sNet.Tests.Aws
{
    /// <summary>
    /// The emulator's multi-group fixture through the real AWSSDK.EC2 client: instances with the VPC's default group, a
    /// cluster group and a monitoring group that a non-node also carries, one with a second network interface, a
    /// database interface, two subnets.
    /// </summary>
    public sealed class MultiGroupFixtureTests
    {
        private const string Default = "sg-0d0000000000000d0";
        private const string Nodes = "sg-0c0000000000000c0";
        private const string Monitoring = "sg-0e0000000000000e0";
        private static readonly string[] NodeIds = { "i-0b10000000000001", "i-0b10000000000002", "i-0b10000000000003" };
        private static readonly CancellationToken None = CancellationToken.None;

        internal static Ec2State Fixture() => Ec2State.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "multi-group.json")));

        [Fact]
        public async Task Reports_each_interfaces_groups_and_the_instance_as_their_union()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Fixture());
            using Ec2CloudNetwork ec2 = bed.Connect();

            Ec2Instance server = Assert.Single(await ec2.DescribeInstancesAsync(Array.Empty<string>(), new[] { "10.1.2.10" }, None));

            Assert.Equal(NodeIds[0], server.InstanceId); // found by its second interface's address
            Assert.Equal(new[] { Default, Nodes, Monitoring }, server.GroupIds);
            Assert.Equal(new[] { Default, Nodes }, server.GroupsFor("10.1.1.10"));
            Assert.Equal(new[] { Monitoring }, server.GroupsFor("10.1.2.10"));
            Assert.Equal("subnet-0b1b", server.SubnetFor("10.1.2.10"));
        }

        [Fact]
        public async Task Lists_every_interface_in_a_group_with_its_instance_or_none_and_the_subnets_blocks()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Fixture());
            using Ec2CloudNetwork ec2 = bed.Connect();

            IReadOnlyList<Ec2NetworkInterface> monitoring = await ec2.DescribeNetworkInterfacesAsync(new[] { Monitoring }, None);
            IReadOnlyList<Ec2NetworkInterface> defaults = await ec2.DescribeNetworkInterfacesAsync(new[] { Default }, None);
            IReadOnlyList<Ec2Subnet> subnets = await ec2.DescribeSubnetsAsync(new[] { "subnet-0b1a", "subnet-0b1b", "subnet-0unknown" }, None);

            Assert.Equal(new[] { "i-0b10000000000001", "i-0b10000000000002", "i-0b10000000000003", "i-0b10000000000009" },
                monitoring.Select(n => n.Holder).Order());
            Assert.Contains(defaults, n => n.InstanceId is null && n.Holder == "eni-0b100000000000db");
            Assert.Equal(new[] { "10.1.1.0/24", "10.1.2.0/24" }, subnets.Select(s => s.CidrBlock).Order());
            Assert.Equal(1, bed.Emulator.CallCount("DescribeSubnets"));
        }

        [Fact]
        public async Task Test_names_the_cluster_group_to_change_and_admit_never_default_nor_monitoring()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Fixture());
            using Ec2CloudNetwork ec2 = bed.Connect();
            var check = new SecurityGroupCheck(ec2);
            IReadOnlyList<AnalysisNode> nodes = SecurityGroupCheck.Nodes(await check.FindInstancesAsync(NodeIds.Select(NodeInput.ForInstance).ToList(), None));

            SecurityGroupAnalysis analysis = await check.ReadNetworkAsync(nodes, None);
            List<SecurityGroupVerdict> blocked = analysis.Judge(nodes, PortMatrix.For(new PortMatrixOptions())).Where(v => !v.Allowed).ToList();

            Assert.Equal(6, blocked.Count); // UDP 8472 between every ordered pair
            Assert.All(blocked, v => Assert.Equal((Nodes, Nodes), (v.GroupId, v.SuggestedSource)));
            Assert.Equal(1, bed.Emulator.CallCount("DescribeNetworkInterfaces"));
        }
    }
}
