using System.Net;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class FlannelStateCheckTests
    {
        private static readonly KernelState Lab = new(
            IpJson.ReadDevice(LabCapture.FlannelLink)!,
            IpJson.ReadMtu(LabCapture.Eth0Link),
            IpJson.ReadNeighbours(LabCapture.Neighbours),
            IpJson.ReadFdb(LabCapture.Fdb),
            IpJson.ReadRoutes(LabCapture.Routes),
            TxChecksumOffload: true,
            TxChecksumOffloadFailure: null,
            KernelRelease: "6.8.0-54-generic");

        private static VxlanPeer NodeA => Peer("node-a", "10.0.1.10", "10.42.0.0", LabCapture.NodeAMac, "10.42.0.0/24");

        private static VxlanPeer NodeB => Peer("node-b", "10.0.1.11", "10.42.1.0", LabCapture.NodeBMac, "10.42.1.0/24");

        private static VxlanPeer NodeC => Peer("node-c", "10.0.1.12", "10.42.2.0", LabCapture.NodeCMac, "10.42.2.0/24");

        [Fact]
        public void Finds_nothing_wrong_with_entries_flannel_programmed()
        {
            Assert.Empty(FlannelStateCheck.CheckPeer(Lab, NodeB));
            Assert.Empty(FlannelStateCheck.CheckDevice(Lab, NodeA, 8472));
        }

        [Fact]
        public void Names_a_stale_fdb_entry_and_the_address_it_should_have()
        {
            string finding = Assert.Single(FlannelStateCheck.CheckPeer(Lab, NodeC));
            Assert.Contains($"'{LabCapture.NodeCMac} dst 10.0.1.250'", finding);
            Assert.Contains("node-c's public-ip is 10.0.1.12", finding);
        }

        [Fact]
        public void A_wrong_VtepMAC_annotation_disagrees_with_the_neighbour_entry_and_has_no_fdb_entry()
        {
            var findings = FlannelStateCheck.CheckPeer(Lab, NodeB with { VtepMac = "02:00:00:00:00:01" });
            Assert.Equal(2, findings.Count);
            Assert.Contains($"'10.42.1.0 lladdr {LabCapture.NodeBMac}' does not match node-b's VtepMAC 02:00:00:00:00:01", findings[0]);
            Assert.Contains("no fdb entry for 02:00:00:00:00:01", findings[1]);
        }

        [Fact]
        public void Names_a_missing_route()
        {
            var state = Lab with { Routes = IpJson.ReadRoutes("""[{"dst":"10.42.2.0/24","gateway":"10.42.2.0","flags":["onlink"]}]""") };
            string finding = Assert.Single(FlannelStateCheck.CheckPeer(state, NodeB));
            Assert.Contains("no route to 10.42.1.0/24", finding);
            Assert.Contains("'10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink'", finding);
        }

        [Fact]
        public void Checks_the_local_device_against_the_nodes_own_annotations()
        {
            var findings = FlannelStateCheck.CheckDevice(
                Lab with { LowerDeviceMtu = 9001 },
                NodeA with { Vni = 4096, UnderlayAddress = IPAddress.Parse("10.0.1.99"), VtepMac = "02:00:00:00:00:01" },
                8472);
            Assert.Equal(4, findings.Count);
            Assert.Contains("VNI 1, but node-a's backend-data says VNI 4096", findings[0]);
            Assert.Contains("local address 10.0.1.10, but node-a's public-ip is 10.0.1.99", findings[1]);
            Assert.Contains("VtepMAC 02:00:00:00:00:01", findings[2]);
            Assert.Contains("flannel sets 8951", findings[3]);
        }

        [Fact]
        public void A_port_other_than_8472_is_a_finding()
        {
            string finding = Assert.Single(FlannelStateCheck.CheckDevice(Lab with { Device = Lab.Device with { Port = 4789 } }, NodeA, 8472));
            Assert.Contains("UDP port 4789, not 8472", finding);
        }

        [Fact]
        public void Completes_a_peer_known_only_by_one_address_from_the_entries()
        {
            var byUnderlay = Lab.Complete(new VxlanPeer("10.0.1.11", IPAddress.Parse("10.0.1.11"), null, null, null, null, false));
            Assert.Equal(IPAddress.Parse("10.42.1.0"), byUnderlay.VtepAddress);
            var byVtep = Lab.Complete(new VxlanPeer("10.42.1.0", null, IPAddress.Parse("10.42.1.0"), null, null, null, false));
            Assert.Equal(IPAddress.Parse("10.0.1.11"), byVtep.UnderlayAddress);
            var unknown = Lab.Complete(new VxlanPeer("10.0.1.77", IPAddress.Parse("10.0.1.77"), null, null, null, null, false));
            Assert.Null(unknown.VtepAddress);
        }

        internal static VxlanPeer Peer(string name, string underlay, string vtep, string mac, string podCidr, bool dns = false) =>
            new(name, IPAddress.Parse(underlay), IPAddress.Parse(vtep), mac, podCidr, 1, dns);
    }
}
