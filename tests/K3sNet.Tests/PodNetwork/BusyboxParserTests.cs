using K3sNet.PodNetwork;
using Xunit;

namespace K3sNet.Tests.PodNetwork
{
    public sealed class BusyboxParserTests
    {
        [Fact]
        public void Ping_counts_replies_and_takes_their_median()
        {
            PingOutcome outcome = BusyboxPing.Parse(BusyboxCaptures.PingAnswered);

            Assert.Equal(3, outcome.Replies);
            Assert.Equal(0.077, outcome.MedianRoundTripMs);
            Assert.True(outcome.Answered);
        }

        [Theory]
        [InlineData(BusyboxCaptures.PingKilled)]
        [InlineData(BusyboxCaptures.PingLost)]
        public void Ping_without_replies_is_not_answered(string output)
        {
            PingOutcome outcome = BusyboxPing.Parse(output);

            Assert.False(outcome.Answered);
            Assert.Null(outcome.MedianRoundTripMs);
        }

        [Fact]
        public void Ping_replies_count_even_when_the_deadline_made_the_exit_code_1()
        {
            Assert.Equal(2, BusyboxPing.Parse(BusyboxCaptures.PingDeadlineWithReplies).Replies);
        }

        [Fact]
        public void Ping_keeps_its_own_error()
        {
            PingOutcome outcome = BusyboxPing.Parse("PING 10.42.1.5 (10.42.1.5): 56 data bytes\nping: permission denied (are you root?)");

            Assert.False(outcome.Answered);
            Assert.Equal("permission denied (are you root?)", outcome.Error);
        }

        [Theory]
        [InlineData(BusyboxCaptures.LookupAnswered)]
        [InlineData(BusyboxCaptures.LookupAnsweredAaaaRefused)]
        public void Lookup_answer_gives_the_address_whatever_the_other_query_said(string output)
        {
            LookupOutcome outcome = BusyboxNslookup.Parse(output, killed: false);

            Assert.Equal(LookupStatus.Answered, outcome.Status);
            Assert.Equal(new[] { "10.43.0.1" }, outcome.Addresses);
        }

        [Fact]
        public void Lookup_server_address_line_is_not_an_answer()
        {
            // "Address: 10.99.0.2:53" above "Name:" is the server, not what the name resolved to.
            Assert.DoesNotContain("10.99.0.2", BusyboxNslookup.Parse(BusyboxCaptures.LookupNxDomain, killed: false).Addresses);
        }

        [Fact]
        public void Lookup_tells_nxdomain_refused_timeout_and_unreachable_apart()
        {
            Assert.Equal(LookupStatus.NxDomain, BusyboxNslookup.Parse(BusyboxCaptures.LookupNxDomain, false).Status);
            LookupOutcome refused = BusyboxNslookup.Parse(BusyboxCaptures.LookupRefused, false);
            Assert.Equal(LookupStatus.ServerError, refused.Status);
            Assert.Equal("REFUSED", refused.Detail);
            Assert.Equal(LookupStatus.TimedOut, BusyboxNslookup.Parse(BusyboxCaptures.LookupTimedOut, false).Status);
            Assert.Equal(LookupStatus.TimedOut, BusyboxNslookup.Parse(string.Empty, killed: true).Status);
            LookupOutcome unreachable = BusyboxNslookup.Parse(BusyboxCaptures.LookupNetworkUnreachable, false);
            Assert.Equal(LookupStatus.Unreachable, unreachable.Status);
            Assert.Contains("Network is unreachable", unreachable.Detail);
        }

        [Theory]
        [InlineData(BusyboxCaptures.WgetHttpError, 1)]
        [InlineData(BusyboxCaptures.WgetConnectedSilent, 143)]
        [InlineData(BusyboxCaptures.WgetResetAfterConnect, 1)]
        public void Wget_any_answer_or_a_lingering_socket_is_connected(string output, int exitCode)
        {
            Assert.Equal(ConnectStatus.Connected, BusyboxWget.Parse(output, exitCode).Status);
        }

        [Fact]
        public void Wget_tells_refused_from_timed_out()
        {
            Assert.Equal(ConnectStatus.Refused, BusyboxWget.Parse(BusyboxCaptures.WgetRefused, 1).Status);
            Assert.Equal(ConnectStatus.TimedOut, BusyboxWget.Parse(BusyboxCaptures.WgetTimedOut, 143).Status);
            Assert.Equal(ConnectStatus.Unreachable, BusyboxWget.Parse("wget: can't connect to remote host (10.43.0.1): No route to host\nestablished: 0", 1).Status);
        }

        [Fact]
        public void Script_lines_give_each_probe_its_exit_code_and_multi_line_output()
        {
            var runs = PodProbeRun.Parse(BusyboxCaptures.ScriptOutput + "sh: something the shell said\n");

            Assert.Equal(new[] { "e0", "e1", "l0", "p1" }, System.Linq.Enumerable.OrderBy(runs.Keys, k => k, System.StringComparer.Ordinal));
            Assert.Equal(0, runs["l0"].ExitCode);
            Assert.Equal(LookupStatus.Answered, BusyboxNslookup.Parse(runs["l0"].Output, runs["l0"].TimedOut).Status);
            Assert.True(runs["p1"].TimedOut);
            Assert.Equal(string.Empty, runs["p1"].Output);
            Assert.Contains("\nconnect: 10.99.0.2\n", runs["e0"].Output);
        }
    }
}
