using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Probing;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Probing
{
    /// <summary>
    /// Probe mode end to end over loopback: the real probe session and responder. Loopback cannot drop a node, so
    /// NodeUnreachable is judged from a measurement here and shown on the lab in Pester.
    /// </summary>
    public sealed class ProbePathTesterTests
    {
        private static readonly VxlanTestOptions Options = new() { Timeout = TimeSpan.FromSeconds(2), LocalNodeName = "node-a" };

        private static VxlanPeer Loopback(string name) => new(name, IPAddress.Loopback, null, null, null, null, false);

        private static async Task<List<VxlanPathResult>> RunAsync(ProbePathTester tester, VxlanTestOptions options, params VxlanPeer[] peers)
        {
            var results = new List<VxlanPathResult>();
            await foreach (VxlanPathResult result in tester.TestAsync(peers, options, CancellationToken.None))
            {
                results.Add(result);
            }

            return results;
        }

        [Theory]
        [InlineData(ProbeTransport.IcmpEcho)]
        [InlineData(ProbeTransport.Udp)]
        internal async Task A_peer_whose_responder_answers_full_size_probes_is_healthy(ProbeTransport transport)
        {
            await using var responder = new LoopbackResponder();
            var tester = new ProbePathTester(icmp: null, new ProbeSettings { Transport = transport, LargestPacket = 1450 });

            List<VxlanPathResult> results = await RunAsync(tester, Options with { Port = responder.EndPoint.Port }, Loopback("node-b"));

            VxlanPathResult result = Assert.Single(results);
            Assert.Equal(VxlanVerdict.Healthy, result.Verdict);
            Assert.Equal(1450, result.PathMtu);
            Assert.Equal(PathState.Answered, result.Overlay);
            Assert.NotNull(result.RoundTripMs);
            Assert.Equal("127.0.0.1", result.SourceAddress);
            Assert.Equal(responder.EndPoint.Port, result.ToPort);
            Assert.Contains("3 of 3", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task The_largest_packet_defaults_to_the_local_interface_MTU_less_50()
        {
            await using var responder = new LoopbackResponder();
            var tester = new ProbePathTester(icmp: null);
            VxlanPathResult result = Assert.Single(await RunAsync(tester, Options with { Port = responder.EndPoint.Port }, Loopback("node-b")));
            int loopbackMtu = Math.Min(65536, ProbeFrame.MaximumInnerPacketSize + 50);
            Assert.Equal(VxlanVerdict.Healthy, result.Verdict);
            Assert.Equal(Math.Min(loopbackMtu - 50, ProbeFrame.MaximumInnerPacketSize), result.PathMtu);
        }

        [Fact]
        public async Task A_peer_that_swallows_the_probes_but_answers_TCP_is_VxlanBlocked()
        {
            // A bound socket that never answers: UDP arrives and vanishes, as behind a security group that drops it.
            using var blackHole = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            blackHole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tester = new ProbePathTester(icmp: null);
            int port = ((IPEndPoint)blackHole.LocalEndPoint!).Port;

            VxlanPathResult result = Assert.Single(await RunAsync(tester, Options with { Port = port }, Loopback("node-c")));

            Assert.Equal(VxlanVerdict.VxlanBlocked, result.Verdict);
            Assert.Equal(PathState.Answered, result.Underlay); // TCP 10250 refused: the host answered
            Assert.Equal(PathState.Silent, result.Overlay);
            Assert.StartsWith($"UDP {port} to node-c is dropped: node-c answers on 127.0.0.1", result.Reason, StringComparison.Ordinal);
            Assert.Contains("security group", result.Remedy, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_peer_where_nothing_listens_is_not_tested_and_says_to_start_the_responder()
        {
            int port;
            using (var probeForFreePort = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                probeForFreePort.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probeForFreePort.LocalEndPoint!).Port;
            }

            VxlanPathResult result = Assert.Single(await RunAsync(new ProbePathTester(icmp: null), Options with { Port = port }, Loopback("node-d")));

            Assert.Equal(VxlanVerdict.NotTested, result.Verdict);
            Assert.Contains("port unreachable", result.Reason, StringComparison.Ordinal);
            Assert.Equal($"Run Start-K3sVxlanResponder -Port {port} on node-d, then test again.", result.Remedy);
        }

        [Fact]
        public async Task A_path_that_drops_large_frames_is_an_MTU_black_hole_with_the_size_that_passes()
        {
            await using var responder = new LoopbackResponder();
            // A relay in front of the responder that drops datagrams above 1300 + 22 bytes: inner packets up to 1300 pass.
            await using var path = new LossyPath(responder.EndPoint, largestDatagram: ProbeFrame.DatagramLength(1300));
            var tester = new ProbePathTester(icmp: null, new ProbeSettings { LargestPacket = 1450 });

            VxlanPathResult result = Assert.Single(await RunAsync(tester, Options with { Port = path.EndPoint.Port }, Loopback("node-e")));

            Assert.True(result.Verdict == VxlanVerdict.MtuBlackhole, $"{result.Verdict}: {result.Reason}");
            Assert.Equal(1300, result.PathMtu);
            Assert.Contains("up to 1300 bytes reach node-e, 1450-byte ones vanish", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task One_lost_full_size_probe_is_not_taken_for_an_MTU_black_hole()
        {
            await using var responder = new LoopbackResponder();
            await using var path = new LossyPath(responder.EndPoint, largestDatagram: int.MaxValue, loseFirstAbove: ProbeFrame.DatagramLength(1300));
            var tester = new ProbePathTester(icmp: null, new ProbeSettings { LargestPacket = 1450 });

            VxlanPathResult result = Assert.Single(await RunAsync(tester, Options with { Port = path.EndPoint.Port }, Loopback("node-e")));

            Assert.Equal(VxlanVerdict.Healthy, result.Verdict);
            Assert.Equal(1450, result.PathMtu);
        }

        [Fact]
        public async Task Results_come_for_every_peer_with_bounded_concurrency()
        {
            await using var responder = new LoopbackResponder();
            var peers = new VxlanPeer[20];
            for (int i = 0; i < peers.Length; i++)
            {
                peers[i] = Loopback($"node-{i:d2}");
            }

            List<VxlanPathResult> results = await RunAsync(new ProbePathTester(icmp: null, new ProbeSettings { LargestPacket = 1450 }),
                Options with { Port = responder.EndPoint.Port, MaxConcurrency = 4 }, peers);

            Assert.Equal(20, results.Count);
            Assert.All(results, r => Assert.Equal(VxlanVerdict.Healthy, r.Verdict));
        }

        [Fact]
        public async Task Cancellation_stops_the_test()
        {
            using var blackHole = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            blackHole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using var cancel = new CancellationTokenSource();
            cancel.Cancel();
            var tester = new ProbePathTester(icmp: null);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (VxlanPathResult _ in tester.TestAsync(new[] { Loopback("node-f") }, Options with { Port = ((IPEndPoint)blackHole.LocalEndPoint!).Port, Timeout = TimeSpan.FromMinutes(5) }, cancel.Token))
                {
                }
            });
        }

        [Fact]
        public void A_silent_peer_whose_underlay_is_silent_too_is_unreachable()
        {
            var measurement = new ProbeMeasurement { LocalAddress = "10.0.1.10", UnderlayAnswered = false, Sent = 3, Received = 0, LargestTried = 1450 };
            VxlanPathResult result = ProbeVerdict.Judge(new VxlanPeer("node-c", IPAddress.Parse("10.0.1.12"), null, null, null, null, false), Options, measurement);
            Assert.Equal(VxlanVerdict.NodeUnreachable, result.Verdict);
            Assert.Equal(PathState.Silent, result.Underlay);
            Assert.Equal("node-c does not answer on 10.0.1.12: no ICMP echo, no TCP 10250, no VXLAN probe on UDP 8472.", result.Reason);
        }

        [Fact]
        public void Partial_loss_is_reported_on_a_healthy_path()
        {
            var measurement = new ProbeMeasurement { LocalAddress = "10.0.1.10", UnderlayAnswered = true, Sent = 3, Received = 2, RoundTripsMs = new[] { 0.4, 0.2 }, LargestTried = 1450, PathMtu = 1450 };
            VxlanPathResult result = ProbeVerdict.Judge(new VxlanPeer("node-b", IPAddress.Parse("10.0.1.11"), null, null, null, null, false), Options, measurement);
            Assert.Equal(VxlanVerdict.Healthy, result.Verdict);
            Assert.Equal(0.3, result.RoundTripMs);
            Assert.Contains("33% of small probes were lost", result.Reason, StringComparison.Ordinal);
        }
    }
}
