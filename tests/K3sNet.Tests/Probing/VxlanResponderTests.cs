using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Packets;
using K3sNet.Probing;

namespace K3sNet.Tests.Probing
{
    /// <summary>The responder's rules, on real UDP sockets over loopback.</summary>
    public sealed class VxlanResponderTests
    {
        private static async Task<byte[]?> ReceiveOrNullAsync(Socket socket, TimeSpan wait)
        {
            var buffer = new byte[65535];
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                int length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                return buffer.AsSpan(0, length).ToArray();
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        [Theory]
        [InlineData(ProbeTransport.IcmpEcho, 84)]
        [InlineData(ProbeTransport.Udp, 1450)]
        [InlineData(ProbeTransport.IcmpEcho, 8951)]
        internal async Task Answers_a_valid_probe_with_its_reply_of_the_same_length(ProbeTransport transport, int size)
        {
            await using var responder = new LoopbackResponder();
            using Socket client = responder.Client();
            byte[] request = ProbeFrames.Request(transport, size, nonce: 42);
            await client.SendToAsync(request, SocketFlags.None, responder.EndPoint);

            byte[]? reply = await ReceiveOrNullAsync(client, TimeSpan.FromSeconds(10));

            Assert.NotNull(reply);
            Assert.Equal(request.Length, reply!.Length);
            Assert.Equal(ProbeCheck.Valid, K3sNet.Probing.ProbeFrame.Check(reply, 1, ProbeKind.Reply, out _, out ProbePayload probe));
            Assert.Equal(42UL, probe.Nonce);
            await responder.WaitForHandledAsync(1);
            K3sNet.VxlanResponderSummary summary = responder.Responder.Snapshot();
            Assert.Equal(1, summary.Answered);
            Assert.Equal(0, summary.Dropped);
            Assert.Equal(1, summary.Sources);
        }

        [Fact]
        public async Task Drops_everything_else_and_counts_it_by_reason()
        {
            await using var responder = new LoopbackResponder();
            using Socket client = responder.Client();
            byte[] wrongVni = ProbeFrames.Request(vni: 4096);
            byte[] reply = ProbeFrames.Request();
            Assert.Equal(ProbeCheck.Valid, ProbeFrame.Check(reply, 1, ProbeKind.Request, out var frame, out _));
            ProbeFrame.TurnIntoReply(reply, frame);
            byte[] reservedFlag = ProbeFrames.Request();
            Span<byte> inner = reservedFlag.AsSpan(VxlanFrame.InnerIPv4Offset);
            Assert.True(Ipv4Header.TryRead(inner, out Ipv4Header ip, out _));
            (ip with { ReservedFlag = true }).Write(inner);
            byte[][] garbage =
            {
                reservedFlag,
                Array.Empty<byte>(),
                "GET / HTTP/1.1\r\n\r\n"u8.ToArray(),
                wrongVni,
                reply,
                ProbeFrames.Request()[..40],
            };
            foreach (byte[] datagram in garbage)
            {
                await client.SendToAsync(datagram, SocketFlags.None, responder.EndPoint);
            }

            // A valid control after the garbage: its reply is the only datagram that comes back.
            await client.SendToAsync(ProbeFrames.Request(nonce: 7), SocketFlags.None, responder.EndPoint);
            byte[]? first = await ReceiveOrNullAsync(client, TimeSpan.FromSeconds(10));
            Assert.NotNull(first);
            Assert.Equal(ProbeCheck.Valid, ProbeFrame.Check(first!, 1, ProbeKind.Reply, out _, out ProbePayload probe));
            Assert.Equal(7UL, probe.Nonce);

            await responder.WaitForHandledAsync(7);
            K3sNet.VxlanResponderSummary summary = responder.Responder.Snapshot();
            Assert.Equal(7, summary.Received);
            Assert.Equal(1, summary.Answered);
            Assert.Equal(6, summary.Dropped);
            Assert.Equal(1, summary.DroppedByReason["InnerIPv4ReservedFlagSet"]);
            Assert.Equal(2, summary.DroppedByReason["NotVxlan"]);
            Assert.Equal(1, summary.DroppedByReason["WrongVni"]);
            Assert.Equal(1, summary.DroppedByReason["WrongKind"]);
            Assert.Equal(1, summary.DroppedByReason["MalformedInnerPacket"]);
        }

        [Fact]
        public async Task Limits_each_source_to_its_token_bucket()
        {
            await using var responder = new LoopbackResponder(new VxlanResponderOptions { BurstPerSource = 5, RatePerSource = 0.001 });
            using Socket client = responder.Client();
            for (ulong i = 0; i < 12; i++)
            {
                await client.SendToAsync(ProbeFrames.Request(nonce: i), SocketFlags.None, responder.EndPoint);
            }

            await responder.WaitForHandledAsync(12);
            K3sNet.VxlanResponderSummary summary = responder.Responder.Snapshot();
            Assert.Equal(5, summary.Answered);
            Assert.Equal(7, summary.RateLimited);
            Assert.Equal(7, summary.DroppedByReason["RateLimited"]);

            int replies = 0;
            while (await ReceiveOrNullAsync(client, TimeSpan.FromMilliseconds(200)) is not null)
            {
                replies++;
            }

            Assert.Equal(5, replies);
        }

        [Fact]
        public async Task Counts_and_limits_at_most_its_maximum_of_sources()
        {
            // Five client addresses on loopback (127.0.0.2 to .6) where the responder tracks three: the two newcomers
            // find no room (their buckets never refill at this rate) and are refused as rate-limited.
            await using var responder = new LoopbackResponder(new VxlanResponderOptions { MaxSources = 3, RatePerSource = 0.001 });
            for (int i = 2; i <= 6; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                client.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{i}"), 0));
                await client.SendToAsync(ProbeFrames.Request(nonce: (ulong)i), SocketFlags.None, responder.EndPoint);
                await responder.WaitForHandledAsync(i - 1);
            }

            K3sNet.VxlanResponderSummary summary = responder.Responder.Snapshot();
            Assert.Equal(3, summary.Answered);
            Assert.Equal(3, summary.Sources);
            Assert.Equal(2, summary.RateLimited);
        }

        [Fact]
        public async Task Stops_by_itself_after_its_duration()
        {
            using var responder = new VxlanResponder(new VxlanResponderOptions { BindAddress = IPAddress.Loopback, Port = 0, Duration = TimeSpan.FromMilliseconds(100) });
            responder.Start();
            K3sNet.VxlanResponderSummary summary = await responder.RunAsync(CancellationToken.None);
            Assert.True(summary.Duration > TimeSpan.Zero);
            Assert.Equal(responder.LocalEndPoint.Port, summary.Port);
        }

        [Fact]
        public void Says_when_the_port_is_taken()
        {
            using var first = new VxlanResponder(new VxlanResponderOptions { BindAddress = IPAddress.Loopback, Port = 0 });
            first.Start();
            using var second = new VxlanResponder(new VxlanResponderOptions { BindAddress = IPAddress.Loopback, Port = first.LocalEndPoint.Port });
            SocketException e = Assert.Throws<SocketException>(second.Start);
            Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
        }

        [Fact]
        public void A_token_bucket_refills_at_its_rate()
        {
            var bucket = new TokenBucket(capacity: 2, ratePerSecond: 1, now: 0, ticksPerSecond: 1000);
            Assert.True(bucket.TryTake(0));
            Assert.True(bucket.TryTake(0));
            Assert.False(bucket.TryTake(0));
            Assert.False(bucket.TryTake(999));
            Assert.True(bucket.TryTake(1000));
            Assert.True(bucket.IsFull(10_000));
        }
    }
}
