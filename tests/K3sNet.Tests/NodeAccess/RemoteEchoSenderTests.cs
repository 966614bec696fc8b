using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.NodeAccess;
using K3sNet.Tests.Kubernetes;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>Echoes sent by the node's own tools through the real agent, to loopback only.</summary>
    public sealed class RemoteEchoSenderTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        [Fact]
        public async Task The_host_s_iputils_ping_answers_small_and_full_size_DF_echoes_with_a_round_trip()
        {
            await using AgentProcess agent = AgentProcess.Start("this machine");
            RemoteEchoSender sender = await RemoteEchoSender.CreateAsync(agent.Session, CancellationToken.None).WaitAsync(Patience);
            Assert.Equal(PingFlavour.Iputils, sender.Flavour);
            Assert.Equal("iputils ping on this machine", sender.Kind);

            EchoOutcome small = await sender.EchoAsync(IPAddress.Loopback, IcmpEchoSender.OrdinaryPacketSize, dontFragment: false, Timeout, CancellationToken.None).WaitAsync(Patience);
            Assert.True(small.Answered, small.Failure);
            Assert.InRange(small.RoundTrip, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
            EchoOutcome full = await sender.EchoAsync(IPAddress.Loopback, 1450, dontFragment: true, Timeout, CancellationToken.None).WaitAsync(Patience);
            Assert.True(full.Answered, full.Failure);
            Assert.Equal(3, agent.Session.RequestCount);
        }

        [Fact]
        public async Task A_TCP_connect_counts_a_refusal_as_an_answer()
        {
            await using AgentProcess agent = AgentProcess.Start("this machine");
            RemoteEchoSender sender = await RemoteEchoSender.CreateAsync(agent.Session, CancellationToken.None).WaitAsync(Patience);

            int closedPort;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            EchoOutcome refused = await sender.TcpConnectAsync(IPAddress.Loopback, closedPort, Timeout, CancellationToken.None).WaitAsync(Patience);
            Assert.True(refused.Answered, refused.Failure);

            Assert.Equal(2, agent.Session.RequestCount);
        }

        [Fact]
        public async Task A_node_too_busy_to_answer_in_time_leaves_echoes_and_connects_unknown_never_silent()
        {
            var busy = new BusyShell();
            RemoteEchoSender sender = await RemoteEchoSender.CreateAsync(busy, CancellationToken.None, agentAllowance: TimeSpan.FromMilliseconds(100));

            EchoOutcome echo = await sender.EchoAsync(IPAddress.Parse("10.42.1.0"), IcmpEchoSender.OrdinaryPacketSize, dontFragment: false, TimeSpan.FromMilliseconds(100), CancellationToken.None).WaitAsync(Patience);
            EchoOutcome connect = await sender.TcpConnectAsync(IPAddress.Parse("10.0.1.11"), 10250, TimeSpan.FromMilliseconds(100), CancellationToken.None).WaitAsync(Patience);

            Assert.True(echo.CannotSend, echo.Failure);
            Assert.True(connect.CannotSend, connect.Failure);
            Assert.Contains("busy-node did not send ping's answer within", echo.Failure, StringComparison.Ordinal);
            Assert.Equal(2, busy.Cancelled);
        }

        [LabFact]
        public async Task A_TCP_connect_the_peer_never_answers_is_silent_after_the_node_s_own_timeout()
        {
            // A network namespace of the test's own whose loopback drops SYNs to one port: the connect hangs until
            // busybox's timeout ends wget on the "node", which is silence, not an answer and not unknown.
            string netns = "k3snet-wget-" + Guid.NewGuid().ToString("N")[..8];
            await Run("ip", "netns", "add", netns);
            try
            {
                await Run("ip", "-n", netns, "link", "set", "lo", "up");
                await Run("ip", "netns", "exec", netns, "nft", "add table inet t; add chain inet t o { type filter hook output priority 0; }; add rule inet t o tcp dport 10250 drop");
                await using AgentProcess agent = AgentProcess.Start("dropping node", networkNamespace: netns);
                RemoteEchoSender sender = await RemoteEchoSender.CreateAsync(agent.Session, CancellationToken.None).WaitAsync(Patience);

                EchoOutcome dropped = await sender.TcpConnectAsync(IPAddress.Loopback, 10250, Timeout, CancellationToken.None).WaitAsync(Patience);

                Assert.False(dropped.Answered);
                Assert.False(dropped.CannotSend, dropped.Failure);
                Assert.Equal("TCP 10250 did not answer within 1 s", dropped.Failure);
            }
            finally
            {
                await Run("ip", "netns", "delete", netns);
            }
        }

        private static async Task Run(string tool, params string[] arguments)
        {
            var info = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(info)!;
            string error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(" ", arguments)}: {error}");
        }

        /// <summary>A node whose agent takes every request and answers none but `ping -V` (a node starved of CPU).</summary>
        private sealed class BusyShell : INodeShell
        {
            private int _cancelled;

            public string Description => "busy-node";

            public int Cancelled => _cancelled;

            public async Task<K3sNet.Firewall.HostToolRun> RunAsync(string tool, System.Collections.Generic.IReadOnlyList<string> arguments, CancellationToken cancellationToken)
            {
                if (tool == "ping" && arguments.Count == 1 && arguments[0] == "-V")
                {
                    return new K3sNet.Firewall.HostToolRun(ToolCaptures.IputilsVersion, null, NotInstalled: false);
                }

                try
                {
                    await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _cancelled);
                    throw;
                }

                throw new InvalidOperationException("unreachable");
            }

            public Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
        }
    }
}
