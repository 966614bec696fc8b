using K3sNet.Firewall;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    /// <summary>The probe pod's echo (from a namespace on cni0) among the facts: evidence the host checks' prediction meets.</summary>
    public sealed class PodProbeVerdictTests
    {
        private static readonly VxlanPeer NodeC = FlannelStateCheckTests.Peer("node-c", "10.0.1.13", "10.42.2.0", "5a:93:f5:ec:c1:e8", "10.42.2.0/24");

        private static readonly HostFinding DropsPods = new(HostProblem.FirewallDropsPods,
            "node-b's own firewall drops pod traffic between cni0 and flannel.1 both ways: table ip filter, chain FORWARD, policy drop (Docker).",
            "iptables -I DOCKER-USER -i cni0 -o flannel.1 -j ACCEPT && iptables -I DOCKER-USER -i flannel.1 -o cni0 -j ACCEPT");

        private static readonly HostFinding ForwardingOff = new(HostProblem.IpForwardOff, "net.ipv4.ip_forward is 0 on node-b.", "Run 'sysctl -w net.ipv4.ip_forward=1' on node-b.");

        private static PeerObservation Observed(PathState overlay, PathState podEcho, params HostFinding[] host) => new()
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
            PodEcho = podEcho,
            PodProbeAddress = podEcho == PathState.NotTested ? null : "10.42.1.254",
        };

        [Fact]
        public void A_lost_probe_echo_with_the_judges_rule_is_HostFirewall_naming_the_rule_and_saying_the_echo_was_lost_too()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Answered, PathState.Silent, DropsPods));
            Assert.Equal(VxlanVerdict.HostFirewall, verdict);
            Assert.Equal($"node-c answers through VXLAN, but pods on node-b cannot use the path: {DropsPods.Reason} An echo from a probe pod on cni0 (10.42.1.254) to node-c's VTEP 10.42.2.0 was lost too.", reason);
            Assert.Equal(DropsPods.Remedy, remedy);
        }

        [Fact]
        public void A_lost_probe_echo_that_no_rule_explains_is_HostFirewall_of_its_own_never_a_security_group()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Answered, PathState.Silent));
            Assert.Equal(VxlanVerdict.HostFirewall, verdict);
            Assert.Equal("node-c answers through VXLAN, but pods on node-b cannot use the path: an echo from a probe pod on cni0 (10.42.1.254) to node-c's VTEP 10.42.2.0 was lost, " +
                "though node-b's own echo crosses: node-b drops its pods' traffic between cni0 and flannel.1, by no rule or setting the host checks identified.", reason);
            Assert.Contains("'iptables-legacy-save' and 'nft list ruleset'", remedy);
            Assert.Contains("'ip rule'", remedy);
            Assert.DoesNotContain("security group", reason + remedy);
        }

        [Fact]
        public void A_probe_echo_that_passes_overrules_a_kernel_setting_the_host_checks_predicted_would_stop_it()
        {
            var (verdict, _, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Answered, PathState.Answered, ForwardingOff));
            Assert.Equal(VxlanVerdict.Healthy, verdict);
            Assert.Null(remedy);
        }

        [Fact]
        public void A_probe_echo_that_passes_leaves_a_firewall_finding_standing_since_the_judge_rules_on_UDP_and_ufw_passes_ICMP_echoes()
        {
            var (verdict, _, remedy) = VxlanVerdictRules.Judge(Observed(PathState.Answered, PathState.Answered, DropsPods));
            Assert.Equal(VxlanVerdict.HostFirewall, verdict);
            Assert.Equal(DropsPods.Remedy, remedy);
        }

        [Fact]
        public void Without_a_probe_namespace_the_prediction_alone_decides_as_before()
        {
            Assert.Equal(VxlanVerdict.Healthy, VxlanVerdictRules.Judge(Observed(PathState.Answered, PathState.NotTested)).Verdict);
            Assert.Equal(VxlanVerdict.Misconfigured, VxlanVerdictRules.Judge(Observed(PathState.Answered, PathState.NotTested, ForwardingOff)).Verdict);
        }

        [Fact]
        public void A_lost_probe_echo_on_a_path_whose_node_echo_is_lost_too_changes_nothing_the_overlay_already_explains()
        {
            var (verdict, reason, _) = VxlanVerdictRules.Judge(Observed(PathState.Silent, PathState.Silent));
            Assert.Equal(VxlanVerdict.VxlanBlocked, verdict);
            Assert.DoesNotContain("probe pod", reason);
        }
    }
}
