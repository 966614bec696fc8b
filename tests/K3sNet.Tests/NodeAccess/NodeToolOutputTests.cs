using System;
using K3sNet.NodeAccess;
using K3sNet.Vxlan;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>The parsers of what a node's ping, wget and ethtool print, against captured text.</summary>
    public sealed class NodeToolOutputTests
    {
        [Fact]
        public void Ping_V_tells_iputils_from_busybox_and_from_no_ping()
        {
            Assert.Equal(PingFlavour.Iputils, PingOutput.Flavour(false, ToolCaptures.IputilsVersion, null));
            Assert.Equal(PingFlavour.Busybox, PingOutput.Flavour(false, null, "'ping -V' failed: " + ToolCaptures.BusyboxVersionError.Split('\n')[0]));
            Assert.Equal(PingFlavour.Missing, PingOutput.Flavour(true, null, "'ping' is not installed"));
        }

        [Fact]
        public void The_round_trip_is_read_from_both_pings_and_absent_without_a_reply()
        {
            Assert.Equal(TimeSpan.FromMilliseconds(0.028), PingOutput.RoundTrip(ToolCaptures.IputilsReply));
            Assert.Equal(TimeSpan.FromMilliseconds(0.025), PingOutput.RoundTrip(ToolCaptures.BusyboxReply));
            Assert.Null(PingOutput.RoundTrip(ToolCaptures.IputilsMessageTooLong));
        }

        [Theory]
        [InlineData(0.2, 1)]
        [InlineData(1.0, 1)]
        [InlineData(1.01, 2)]
        [InlineData(2.5, 3)]
        public void The_wait_is_whole_seconds_rounded_up_so_the_node_never_gives_up_before_the_caller(double seconds, int expected) =>
            Assert.Equal(expected, PingOutput.WaitSeconds(TimeSpan.FromSeconds(seconds)));

        [Fact]
        public void A_refusal_or_any_HTTP_answer_means_the_peer_answered_a_timeout_or_unreachable_does_not()
        {
            Assert.Equal(WgetAnswer.Answered, WgetOutput.Classify(ToolCaptures.WgetRefused));
            Assert.Equal(WgetAnswer.Answered, WgetOutput.Classify(ToolCaptures.WgetHttpError));
            Assert.Equal(WgetAnswer.Silent, WgetOutput.Classify(ToolCaptures.WgetUnreachable));
            Assert.Equal(WgetAnswer.Silent, WgetOutput.Classify(ToolCaptures.WgetTimedOut));
            Assert.Equal(WgetAnswer.Silent, WgetOutput.Classify("wget: can't connect to remote host (10.0.1.12): No route to host"));
            Assert.Equal(WgetAnswer.Silent, WgetOutput.Classify("'busybox timeout 1 busybox wget -q -O /dev/null http://10.0.1.12:10250/' failed: exit code 143"));

            // Debian's busybox 1.35 segfaults on wget -T: a crash says nothing about the peer, and must never read as an answer.
            Assert.Equal(WgetAnswer.Unknown, WgetOutput.Classify("'busybox wget -q -T 1 -O /dev/null http://127.0.0.1:9/' failed: exit code 139"));
        }

        [Fact]
        public void Ethtool_k_gives_flannel_1_s_tx_checksum_offload()
        {
            Assert.True(TxChecksumOffload.ParseEthtoolFeatures(ToolCaptures.EthtoolFlannelOn));
            Assert.False(TxChecksumOffload.ParseEthtoolFeatures(ToolCaptures.EthtoolFlannelOff));
            Assert.False(TxChecksumOffload.ParseEthtoolFeatures("Features for flannel.1:\n\ttx-checksum-ip-generic: off\n"));
            Assert.Null(TxChecksumOffload.ParseEthtoolFeatures("Cannot get device feature names: No such device\n"));
        }
    }
}
