using System.Collections.Generic;
using System.Linq;
using System.Net;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class PeerSelectionTests
    {
        private static K3sNode Node(string name, string ip, int index, FlannelBackend? backend = FlannelBackend.Vxlan) => new()
        {
            Name = name,
            InternalIP = ip,
            FlannelPublicIP = ip,
            FlannelBackend = backend,
            PodCidr = $"10.42.{index}.0/24",
            VtepAddress = $"10.42.{index}.0",
            VtepMac = $"02:00:00:00:00:0{index}",
            Vni = 1,
        };

        private static readonly K3sNode[] Cluster = { Node("node-a", "10.0.1.10", 0), Node("node-b", "10.0.1.11", 1), Node("node-c", "10.0.1.12", 2) };

        private static HashSet<IPAddress> Addresses(params string[] addresses) => addresses.Select(IPAddress.Parse).ToHashSet();

        [Fact]
        public void The_node_with_one_of_this_hosts_addresses_is_local_and_the_others_are_peers()
        {
            var selection = PeerSelection.FromNodes(Cluster, Addresses("127.0.0.1", "10.0.1.11", "10.42.1.0"), null);
            Assert.Equal("node-b", selection.Local?.Name);
            Assert.Equal(new[] { "node-a", "node-c" }, selection.Peers.Select(p => p.Name));
            VxlanPeer nodeC = selection.Peers[1];
            Assert.Equal(IPAddress.Parse("10.0.1.12"), nodeC.UnderlayAddress);
            Assert.Equal(IPAddress.Parse("10.42.2.0"), nodeC.VtepAddress);
            Assert.Equal("02:00:00:00:00:02", nodeC.VtepMac);
        }

        [Fact]
        public void LocalNode_names_the_local_node_whatever_the_addresses()
        {
            var selection = PeerSelection.FromNodes(Cluster, Addresses("10.0.1.11"), "NODE-C");
            Assert.Equal("node-c", selection.Local?.Name);
            Assert.Equal(new[] { "node-a", "node-b" }, selection.Peers.Select(p => p.Name));
        }

        [Fact]
        public void Without_a_local_address_every_node_is_a_peer()
        {
            var selection = PeerSelection.FromNodes(Cluster, Addresses("192.0.2.7"), null);
            Assert.Null(selection.Local);
            Assert.Equal(3, selection.Peers.Count);
        }

        [Fact]
        public void VXLAN_goes_to_the_public_ip_annotation_and_the_VTEP_is_the_pod_subnet_base()
        {
            var node = Node("node-x", "10.0.1.20", 7);
            node.FlannelPublicIP = "203.0.113.20";
            node.VtepAddress = null;
            Assert.True(PeerSelection.TryCreatePeer(node, out VxlanPeer? peer, out _));
            Assert.Equal(IPAddress.Parse("203.0.113.20"), peer!.UnderlayAddress);
            Assert.Equal(IPAddress.Parse("10.42.7.0"), peer.VtepAddress);
        }

        [Fact]
        public void A_node_with_a_malformed_address_is_set_aside_with_the_problem()
        {
            var bad = Node("node-x", "10.0.1.20", 7);
            bad.FlannelPublicIP = "not-an-ip";
            var selection = PeerSelection.FromNodes(Cluster.Append(bad), Addresses("10.0.1.10"), null);
            var (node, problem) = Assert.Single(selection.Invalid);
            Assert.Same(bad, node);
            Assert.Contains("'not-an-ip'", problem);
            Assert.Equal(2, selection.Peers.Count);
        }

        [Fact]
        public void A_node_on_another_backend_is_not_a_peer_and_gets_a_NotTested_result()
        {
            var hostGw = Node("node-h", "10.0.1.30", 9, FlannelBackend.HostGw);
            var selection = PeerSelection.FromNodes(Cluster.Append(hostGw), Addresses("10.0.1.10"), null);
            Assert.Same(hostGw, Assert.Single(selection.OtherBackends));
            Assert.DoesNotContain(selection.Peers, p => p.Name == "node-h");
            VxlanPathResult result = PeerSelection.NotOnVxlan("node-a", hostGw);
            Assert.Equal(VxlanVerdict.NotTested, result.Verdict);
            Assert.Equal("10.0.1.30", result.DestinationAddress);
            Assert.Contains("HostGw backend", result.Reason);
        }
    }
}
