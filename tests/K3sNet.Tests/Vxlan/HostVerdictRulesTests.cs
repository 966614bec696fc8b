using K3sNet.Firewall;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    /// <summary>The verdict rules with the node's own findings (firewall, ip_forward, rp_filter, cni0) among the facts.</summary>
    public sealed class HostVerdictRulesTests
    {
        private static readonly VxlanPeer NodeC = FlannelStateCheckTests.Peer("node-c", "10.0.1.13", "10.42.2.0", "5a:93:f5:ec:c1:e8", "10.42.2.0/24");

        private static readonly HostFinding DropsVxlan = new(HostProblem.FirewallDropsVxlan,
            "node-b's own firewall rejects (icmp type host-prohibited) UDP 8472 from node-c (10.0.1.13) on eth0: table ip filter, chain INPUT, rule handle 10 'reject with icmp type host-prohibited' (Oracle Cloud's image).",
            "iptables -I INPUT 6 -s 10.0.1.13 -p udp --dport 8472 -j ACCEPT (before the REJECT).");

        private static readonly HostFinding DropsPods = new(HostProblem.FirewallDropsPods,
            "node-b's own firewall drops pod traffic from cni0 to flannel.1 (10.42.1.2 to node-c's pod 10.42.2.2): table ip filter, chain FORWARD, policy drop (Docker).",
            "iptables -I DOCKER-USER -i cni0 -o flannel.1 -j ACCEPT.");

        private static readonly HostFinding ForwardingOff = new(HostProblem.IpForwardOff, "net.ipv4.ip_forward is 0 on node-b.", "Run 'sysctl -w net.ipv4.ip_forward=1' on node-b.");

        private static PeerObservation Observed(PathState overlay, params HostFinding[] host) => new()
        {
            Peer = NodeC,
            SourceName = "node-b",
            Underlay = PathState.Answered,
            Overlay = overlay,
            FullSizePassed = overlay == PathState.Answered ? true : null,
            DeviceMtu = 1450,
            PathMtu = overlay == PathState.Answered ? 1450 : null,
            RoundTripMs = 0.25,
            ChecksumOffloadBugApplies = false,
            HostFindings = host,
        };

        [Fact]
        public void This_nodes_firewall_dropping_the_peers_VXLAN_is_HostFirewall_never_a_security_group()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Silent, DropsVxlan));
            Assert.Equal(VxlanVerdict.HostFirewall, verdict);
            Assert.Equal(DropsVxlan.Reason + " node-c answers on 10.0.1.13, but its VXLAN never reaches flannel.1 here.", reason);
            Assert.Equal(DropsVxlan.Remedy, remedy);
            Assert.DoesNotContain("security group", remedy);
        }

        [Fact]
        public void A_drop_in_FORWARD_turns_a_path_whose_echo_crosses_from_Healthy_into_HostFirewall()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Answered, ForwardingOff, DropsPods));
            Assert.Equal(VxlanVerdict.HostFirewall, verdict);
            // The firewall first: it is what a person fixes first; the other findings follow.
            Assert.Equal("node-c answers through VXLAN, but pods on node-b cannot use the path: " + DropsPods.Reason + " " + ForwardingOff.Reason, reason);
            Assert.Equal(DropsPods.Remedy + " " + ForwardingOff.Remedy, remedy);
        }

        [Fact]
        public void Pods_cut_off_from_the_CoreDNS_node_cannot_resolve_names_and_the_reason_says_so()
        {
            PeerObservation dns = Observed(PathState.Answered, DropsPods) with { Peer = NodeC with { HostsClusterDns = true } };
            Assert.EndsWith(DropsPods.Reason + " CoreDNS runs on node-c, so pods on node-b cannot resolve names.", VxlanVerdictRules.Judge(dns).Reason);
        }

        [Fact]
        public void Ip_forward_off_alone_is_Misconfigured_with_its_sysctl()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Answered, ForwardingOff));
            Assert.Equal(VxlanVerdict.Misconfigured, verdict);
            Assert.StartsWith("node-c answers through VXLAN, but pods on node-b cannot use the path: net.ipv4.ip_forward is 0", reason);
            Assert.Equal(ForwardingOff.Remedy, remedy);
        }

        [Fact]
        public void Strict_rp_filter_that_silences_the_echo_is_Misconfigured_not_VxlanBlocked()
        {
            var rp = new HostFinding(HostProblem.RpFilterUnderlay, "rp_filter is strict (1) on eth0 on node-b.", "Run 'sysctl -w net.ipv4.conf.eth0.rp_filter=2' on node-b.");
            var (verdict, _, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Silent, rp));
            Assert.Equal(VxlanVerdict.Misconfigured, verdict);
            Assert.Equal(rp.Remedy, remedy);
        }

        [Fact]
        public void An_undetermined_rule_changes_no_verdict()
        {
            var note = new HostFinding(HostProblem.FirewallUndetermined, "Whether node-b's own firewall lets ... could not be judged.", null);
            Assert.Equal(VxlanVerdict.Healthy, VxlanVerdictRules.Judge(Observed(PathState.Answered, note)).Verdict);
            Assert.Equal(VxlanVerdict.VxlanBlocked, VxlanVerdictRules.Judge(Observed(PathState.Silent, note)).Verdict);
        }

        [Fact]
        public void A_pod_path_finding_does_not_hide_a_blocked_port_when_the_echo_is_silent()
        {
            // The echo's silence is the security group's (or the peer's) doing; FORWARD never sees the node's own echo.
            Assert.Equal(VxlanVerdict.VxlanBlocked, VxlanVerdictRules.Judge(Observed(PathState.Silent, DropsPods)).Verdict);
        }
    }
}
