using System.Collections.Generic;
using System.Linq;
using System.Net;
using K3sNet.Firewall;
using K3sNet.Tests.Vxlan;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Firewall
{
    public sealed class HostPathCheckTests
    {
        private static readonly VxlanPeer NodeB = FlannelStateCheckTests.Peer("node-b", "10.0.1.11", "10.42.1.0", "2e:01:6f:60:f4:c6", "10.42.1.0/24");

        private static readonly HostContext NodeA = new("node-a", IPAddress.Parse("10.0.1.10"), "eth0", "flannel.1", "10.42.0.0/24", 8472);

        private static readonly RouteEntry[] Routes =
        {
            new("10.0.1.0/24", null, "eth0", false),
            new("10.42.1.0/24", "10.42.1.0", "flannel.1", true),
        };

        private static HostNetworkState Healthy(params FirewallRuleset[] rulesets) => new()
        {
            IpForward = 1,
            RpFilter = new Dictionary<string, int> { ["all"] = 0, ["default"] = 1, ["eth0"] = 1, ["flannel.1"] = 1, ["cni0"] = 1 },
            Bridge = new BridgeState("cni0", true, new[] { "10.42.0.1/24" }),
            Routes = Routes,
            Rulesets = rulesets,
        };

        [Fact]
        public void A_node_with_forwarding_on_an_up_cni0_with_its_gateway_and_symmetric_routes_has_no_finding()
        {
            IReadOnlyList<HostFinding> findings = HostPathCheck.Check(Healthy(Rulesets.Nft("docker-k3s")), NodeA, NodeB);
            Assert.True(findings.Count == 0, string.Join(" | ", findings.Select(f => f.Reason)));
        }

        [Fact]
        public void Ip_forward_off_is_found_with_the_sysctl_and_its_persistent_form()
        {
            HostFinding finding = Assert.Single(HostPathCheck.Check(Healthy() with { IpForward = 0 }, NodeA, NodeB));
            Assert.Equal(HostProblem.IpForwardOff, finding.Problem);
            Assert.StartsWith("net.ipv4.ip_forward is 0 on node-a", finding.Reason);
            Assert.Equal("Run 'sysctl -w net.ipv4.ip_forward=1' on node-a, and persist it with 'net.ipv4.ip_forward=1' in /etc/sysctl.d/90-k3s.conf (something turned off what k3s set at start).", finding.Remedy);
        }

        [Fact]
        public void Without_cni0_no_pod_runs_here_and_only_the_VXLAN_checks_apply()
        {
            // ip_forward 0 would matter only for pods; a node without cni0 has none yet (and the lab's nodes look so).
            Assert.Empty(HostPathCheck.Check(Healthy() with { Bridge = null, IpForward = 0 }, NodeA, NodeB));
        }

        [Fact]
        public void Cni0_down_and_cni0_with_another_subnets_gateway_are_both_named()
        {
            IReadOnlyList<HostFinding> findings = HostPathCheck.Check(Healthy() with { Bridge = new BridgeState("cni0", false, new[] { "10.42.7.1/24" }) }, NodeA, NodeB);
            Assert.Equal(new[] { HostProblem.BridgeDown, HostProblem.BridgeAddress }, findings.Select(f => f.Problem));
            Assert.Equal("Run 'ip link set cni0 up' on node-a; if it goes down again, restart k3s there.", findings[0].Remedy);
            Assert.Equal("cni0 on node-a has 10.42.7.1/24, but node-a's podCIDR 10.42.0.0/24 needs 10.42.0.1/24: pods get no working gateway (the node's podCIDR changed, often after it rejoined).", findings[1].Reason);
            Assert.StartsWith("Run 'ip link delete cni0' on node-a and restart k3s there", findings[1].Remedy);
        }

        [Fact]
        public void Strict_rp_filter_with_the_route_back_through_another_NIC_drops_the_peers_VXLAN()
        {
            // Two NICs: VXLAN arrives on eth0, but the route back to 10.0.1.11 leaves by eth1.
            HostNetworkState state = Healthy() with { Routes = Routes.Append(new RouteEntry("10.0.1.11", null, "eth1", false)).ToArray() };
            HostFinding finding = Assert.Single(HostPathCheck.Check(state, NodeA, NodeB));
            Assert.Equal(HostProblem.RpFilterUnderlay, finding.Problem);
            Assert.True(finding.SilencesOverlay);
            Assert.Equal("rp_filter is strict (1) on eth0 on node-a, and the route back to 10.0.1.11 leaves by eth1, not eth0: the kernel drops node-b's VXLAN from 10.0.1.11 as spoofed.", finding.Reason);
            Assert.StartsWith("Run 'sysctl -w net.ipv4.conf.eth0.rp_filter=2' on node-a", finding.Remedy);

            // Loose mode (2) accepts a packet whose source has any route back.
            Assert.Empty(HostPathCheck.Check(state with { RpFilter = new Dictionary<string, int> { ["all"] = 0, ["eth0"] = 2, ["flannel.1"] = 1 } }, NodeA, NodeB));
        }

        [Fact]
        public void Conf_all_strict_makes_every_device_strict_and_the_remedy_lowers_both()
        {
            HostNetworkState state = Healthy() with
            {
                RpFilter = new Dictionary<string, int> { ["all"] = 1, ["eth0"] = 0, ["flannel.1"] = 0 },
                Routes = new[] { new RouteEntry("default", "10.0.2.1", "eth1", false), new RouteEntry("10.42.1.0/24", "10.42.1.0", "flannel.1", true) },
            };
            HostFinding finding = Assert.Single(HostPathCheck.Check(state, NodeA, NodeB));
            Assert.Contains("and 'sysctl -w net.ipv4.conf.all.rp_filter=2' (the kernel applies the larger of the two)", finding.Remedy);
        }

        [Fact]
        public void A_firewall_that_drops_the_peers_VXLAN_and_the_pods_gives_one_finding_for_each_packet_class()
        {
            IReadOnlyList<HostFinding> findings = HostPathCheck.Check(Healthy(Rulesets.Nft("ufw")), NodeA, NodeB);
            Assert.Equal(new[] { HostProblem.FirewallDropsVxlan, HostProblem.FirewallDropsPods }, findings.Select(f => f.Problem));
            Assert.Equal("node-a's own firewall drops UDP 8472 from node-b (10.0.1.11) on eth0: table ip filter, chain INPUT, policy drop (ufw).", findings[0].Reason);
            Assert.Equal("node-a's own firewall drops pod traffic between cni0 and flannel.1 both ways (10.42.0.2 to and from node-b's pod 10.42.1.2): table ip filter, chain FORWARD, policy drop (ufw).", findings[1].Reason);
            Assert.Equal("ufw route allow in on cni0 out on flannel.1 && ufw route allow in on flannel.1 out on cni0", findings[1].Remedy);
        }

        [Fact]
        public void A_drop_of_one_direction_only_is_its_own_finding()
        {
            HostFinding finding = Assert.Single(HostPathCheck.Check(Healthy(Rulesets.Nft("ufw-route-deny")), NodeA, NodeB), f => f.Problem == HostProblem.FirewallDropsPods);
            Assert.StartsWith("node-a's own firewall drops pod traffic from cni0 to flannel.1 (10.42.0.2 to node-b's pod 10.42.1.2): table ip filter, chain ufw-user-forward, rule handle", finding.Reason);
            Assert.Equal("ufw route allow in on cni0 out on flannel.1", finding.Remedy);
        }

        [Fact]
        public void A_ruleset_the_judge_cannot_read_is_a_note_never_a_drop()
        {
            // Without nft's text listing, INPUT's opaque conntrack match could accept first; FORWARD's lone REJECT still rejects.
            IReadOnlyList<HostFinding> findings = HostPathCheck.Check(Healthy(Rulesets.Nft("oci", withListing: false)), NodeA, NodeB);
            Assert.Equal(new[] { HostProblem.FirewallUndetermined, HostProblem.FirewallDropsPods }, findings.Select(f => f.Problem));
            Assert.Null(findings[0].Remedy);
            Assert.Contains("rejects (REJECT) pod traffic between cni0 and flannel.1 both ways", findings[1].Reason);
            Assert.StartsWith("Whether node-a's own firewall lets UDP 8472 from node-b (10.0.1.11) on eth0 through could not be judged: table ip filter, chain INPUT, rule handle 5", findings[0].Reason);
        }

        [Fact]
        public void Legacy_iptables_beside_nftables_is_judged_too()
        {
            FirewallRuleset legacy = IptablesSave.Read(Rulesets.Text("oci.legacy"));
            HostFinding first = HostPathCheck.Check(Healthy(Rulesets.Nft("docker-k3s"), legacy), NodeA, NodeB)[0];
            Assert.Equal("node-a's own firewall rejects (icmp type host-prohibited) UDP 8472 from node-b (10.0.1.11) on eth0: table ip filter, chain INPUT, rule 6 '-j REJECT --reject-with icmp-host-prohibited' (Oracle Cloud's image).", first.Reason);
        }
    }
}
