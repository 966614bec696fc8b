using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class VxlanVerdictRulesTests
    {
        private static readonly VxlanPeer NodeC = FlannelStateCheckTests.Peer("node-c", "10.0.1.13", "10.42.2.0", "5a:93:f5:ec:c1:e8", "10.42.2.0/24");

        private static PeerObservation Healthy(VxlanPeer? peer = null) => new()
        {
            Peer = peer ?? NodeC,
            SourceName = "node-b",
            Underlay = PathState.Answered,
            Overlay = PathState.Answered,
            FullSizePassed = true,
            DeviceMtu = 1450,
            PathMtu = 1450,
            RoundTripMs = 0.25,
            ChecksumOffloadBugApplies = false,
        };

        [Fact]
        public void A_path_that_answers_at_full_size_is_healthy()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy());
            Assert.Equal(VxlanVerdict.Healthy, verdict);
            Assert.Equal("node-c answers through VXLAN in 0.25 ms; 1450-byte packets pass.", reason);
            Assert.Null(remedy);
        }

        [Fact]
        public void An_echo_the_node_could_not_send_in_time_is_NotTested_never_blocked_or_unreachable()
        {
            const string busy = "k3s-agent-7 did not send ping's answer within 16 s (a node too busy to run it in time), so this probe says nothing about the path";
            var (overlayVerdict, overlayReason, remedy) = VxlanVerdictRules.Judge(Healthy() with { Overlay = PathState.NotTested, OverlayDetail = busy, FullSizePassed = null, PathMtu = null });
            var (underlayVerdict, underlayReason, _) = VxlanVerdictRules.Judge(Healthy() with { Overlay = PathState.Silent, Underlay = PathState.NotTested, UnderlayDetail = "ICMP echo: " + busy + "; TCP 10250 did not answer within 1 s", FullSizePassed = null, PathMtu = null });

            Assert.Equal(VxlanVerdict.NotTested, overlayVerdict);
            Assert.Equal($"The echo through VXLAN to node-c could not be judged: {busy}.", overlayReason);
            Assert.Equal("Run the test again when node-b is less busy, or with a longer -TimeoutSeconds.", remedy);
            Assert.Equal(VxlanVerdict.NotTested, underlayVerdict);
            Assert.StartsWith("node-c does not answer through VXLAN, and whether it answers on 10.0.1.13 could not be judged (ICMP echo: ", underlayReason, System.StringComparison.Ordinal);
        }

        [Fact]
        public void Underlay_answering_and_overlay_silent_is_VxlanBlocked_with_the_rule_to_add()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy() with { Overlay = PathState.Silent, FullSizePassed = null, PathMtu = null });
            Assert.Equal(VxlanVerdict.VxlanBlocked, verdict);
            Assert.Equal(
                "UDP 8472 between node-b and node-c is dropped: node-c answers on 10.0.1.13 but not through VXLAN. " +
                "Allow inbound UDP 8472 from the cluster's nodes in node-c's security group and in node-b's (the echo goes one way, its reply the other).",
                reason);
            Assert.Contains("never 0.0.0.0/0", remedy);
            Assert.Contains("to node-c and to node-b", remedy);
        }

        [Theory]
        [InlineData(3, 3, "No peer answers through VXLAN while all answer on their underlay: node-b's own security group most likely drops inbound UDP 8472 (the replies).")]
        [InlineData(2, 3, "No peer answers through VXLAN while 2 of the 3 answer on their underlay: node-b's own security group most likely drops inbound UDP 8472 (the replies).")]
        public void When_no_peer_answers_through_VXLAN_the_reason_names_this_nodes_own_group(int silent, int tested, string lead)
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy() with
            {
                Overlay = PathState.Silent,
                FullSizePassed = null,
                PathMtu = null,
                SilentPeers = (silent, tested),
            });
            Assert.Equal(VxlanVerdict.VxlanBlocked, verdict);
            // Peers sharing one group that drops the port look the same from node-b: the reason says where to look next.
            Assert.Equal($"{lead} Allow inbound UDP 8472 from the cluster's nodes in node-b's security group; if it already does, the peers' groups drop it.", reason);
            Assert.StartsWith("Allow inbound UDP 8472 to node-b from the cluster's nodes", remedy);
            Assert.EndsWith("If node-b already admits it, allow it into the peers' groups (Test-K3sSecurityGroup names them).", remedy);
        }

        [Fact]
        public void A_silent_overlay_without_an_underlay_address_is_NotTested_not_VxlanBlocked()
        {
            // -VtepAddress alone, and flannel.1 has no entries that lead to the peer's underlay address.
            VxlanPeer vtepOnly = new("10.42.9.0", null, System.Net.IPAddress.Parse("10.42.9.0"), null, null, null, false);
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy(vtepOnly) with
            {
                Underlay = PathState.NotTested,
                Overlay = PathState.Silent,
                FullSizePassed = null,
                PathMtu = null,
            });
            Assert.Equal(VxlanVerdict.NotTested, verdict);
            Assert.StartsWith("10.42.9.0 does not answer through VXLAN, and its underlay address is unknown", reason);
            Assert.DoesNotContain("answers on", reason);
            Assert.Contains("-ComputerName <address> -VtepAddress 10.42.9.0", remedy);
        }

        [Fact]
        public void A_blocked_path_to_the_CoreDNS_node_says_pods_cannot_resolve_names()
        {
            var (_, reason, _) = VxlanVerdictRules.Judge(Healthy(NodeC with { HostsClusterDns = true }) with { Overlay = PathState.Silent });
            Assert.EndsWith("CoreDNS runs on node-c, so pods on node-b cannot resolve names.", reason);
            var (_, healthyReason, _) = VxlanVerdictRules.Judge(Healthy(NodeC with { HostsClusterDns = true }));
            Assert.DoesNotContain("CoreDNS", healthyReason);
        }

        [Fact]
        public void Nothing_answering_is_NodeUnreachable_even_with_stale_entries()
        {
            var (verdict, reason, _) = VxlanVerdictRules.Judge(Healthy() with
            {
                Underlay = PathState.Silent,
                UnderlayDetail = "ICMP echo: no echo reply within 1 s; TCP 10250 did not answer within 1 s",
                Overlay = PathState.Silent,
                PeerFindings = ["stale"],
            });
            Assert.Equal(VxlanVerdict.NodeUnreachable, verdict);
            Assert.StartsWith("node-c answers neither on 10.0.1.13 (ICMP echo: no echo reply", reason);
        }

        [Fact]
        public void Stale_entries_make_a_silent_overlay_Misconfigured_not_blocked()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy() with { Overlay = PathState.Silent, PeerFindings = ["flannel.1's fdb entry 'x dst 10.0.1.250' is stale."] });
            Assert.Equal(VxlanVerdict.Misconfigured, verdict);
            Assert.Equal("flannel.1's fdb entry 'x dst 10.0.1.250' is stale. Traffic through VXLAN to node-c is lost.", reason);
            Assert.Contains("Restart k3s on node-b", remedy);
        }

        [Fact]
        public void Findings_on_a_working_path_are_still_Misconfigured()
        {
            var (verdict, _, _) = VxlanVerdictRules.Judge(Healthy() with { DeviceFindings = ["flannel.1 has MTU 1400"] });
            Assert.Equal(VxlanVerdict.Misconfigured, verdict);
        }

        [Fact]
        public void Small_packets_passing_and_full_size_lost_is_MtuBlackhole_with_the_measured_size()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy() with { FullSizePassed = false, PathMtu = 1350 });
            Assert.Equal(VxlanVerdict.MtuBlackhole, verdict);
            Assert.StartsWith("Packets up to 1350 bytes reach node-c through VXLAN, but 1450-byte packets are dropped", reason);
            Assert.Contains("does not carry 1500-byte packets", reason);
            Assert.Contains("to 1350", remedy);
        }

        [Fact]
        public void The_checksum_offload_bug_is_named_when_the_path_otherwise_works()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy() with { ChecksumOffloadBugApplies = true, KernelRelease = "5.4.0-26-generic" });
            Assert.Equal(VxlanVerdict.ChecksumOffload, verdict);
            Assert.Contains("kernel 5.4.0-26-generic", reason);
            Assert.Contains("ethtool -K flannel.1 tx-checksum-ip-generic off", remedy);
        }

        [Fact]
        public void A_peer_without_a_VTEP_address_is_NotTested_saying_what_to_give()
        {
            var (verdict, reason, remedy) = VxlanVerdictRules.Judge(Healthy(NodeC with { VtepAddress = null }) with { Overlay = PathState.NotTested });
            Assert.Equal(VxlanVerdict.NotTested, verdict);
            Assert.Contains("VTEP address is unknown", reason);
            Assert.Contains("-VtepAddress", remedy);
        }
    }
}
