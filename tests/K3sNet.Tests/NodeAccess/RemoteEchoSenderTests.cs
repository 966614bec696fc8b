using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.NodeAccess;

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
    }
}
