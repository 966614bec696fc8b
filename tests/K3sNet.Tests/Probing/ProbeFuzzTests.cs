using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Packets;
using K3sNet.Probing;

namespace K3sNet.Tests.Probing
{
    /// <summary>
    /// 100,000 seeded packets, one in ten a valid probe (the controls), the rest random bytes and mutations of valid
    /// probes (bit flips, truncations, extensions, wrong magic, VNI, flags, checksums, version, kind). Each mutation is
    /// one the probe format must catch: every bit of a probe is covered by a checksum, a fixed value or a derivation,
    /// and a change confined to one byte can never cancel out in a ones'-complement sum. So the oracle is exact: a
    /// packet is valid if and only if it is a control.
    /// </summary>
    public sealed class ProbeFuzzTests
    {
        private const int Total = 100_000;
        private const int Seed = 8472;

        private sealed record Case(byte[] Packet, ulong? ControlNonce, string Mutation);

        private static List<Case> Generate()
        {
            var random = new Random(Seed);
            var cases = new List<Case>(Total);
            ulong nonce = 1;
            for (int i = 0; i < Total; i++)
            {
                if (i % 10 == 0)
                {
                    byte[] control = ValidProbe(random, nonce, maxSize: 1450);
                    cases.Add(new Case(control, nonce++, "control"));
                    continue;
                }

                byte[] probe = ValidProbe(random, 0, maxSize: 400);
                cases.Add(Mutate(random, probe));
            }

            return cases;
        }

        private static byte[] ValidProbe(Random random, ulong nonce, int maxSize)
        {
            var transport = random.Next(2) == 0 ? ProbeTransport.IcmpEcho : ProbeTransport.Udp;
            return ProbeFrames.Request(transport, random.Next(ProbeFrame.MinimumInnerPacketSize, maxSize + 1), nonce);
        }

        private static Case Mutate(Random random, byte[] probe)
        {
            const int Ip = VxlanFrame.InnerIPv4Offset;
            const int Payload = Ip + Ipv4Header.MinimumLength + 8;
            switch (random.Next(11))
            {
                case 0:
                {
                    int bit = random.Next(probe.Length * 8);
                    probe[bit / 8] ^= (byte)(1 << (bit % 8));
                    return new Case(probe, null, "bit flip");
                }

                case 1:
                    probe[random.Next(probe.Length)] ^= (byte)random.Next(1, 256);
                    return new Case(probe, null, "byte flips");
                case 2:
                    return new Case(probe[..random.Next(probe.Length)], null, "truncation");
                case 3:
                {
                    byte[] longer = new byte[probe.Length + random.Next(1, 65)];
                    probe.CopyTo(longer, 0);
                    random.NextBytes(longer.AsSpan(probe.Length));
                    return new Case(longer, null, "extension");
                }

                case 4:
                    BinaryPrimitives.WriteUInt32BigEndian(probe.AsSpan(Payload), ProbePayload.Magic ^ (uint)random.Next(1, int.MaxValue));
                    ProbeFrames.Reseal(probe);
                    return new Case(probe, null, "wrong magic");
                case 5:
                {
                    int vni = random.Next(0, 1 << 24);
                    VxlanHeader.Write(probe, vni == 1 ? 2 : vni);
                    return new Case(probe, null, "wrong VNI");
                }

                case 6:
                    probe[random.Next(2) == 0 ? 0 : random.Next(1, 4)] ^= (byte)random.Next(1, 256);
                    return new Case(probe, null, "wrong flags");
                case 7:
                {
                    // The IPv4 header checksum, or the ICMP/UDP one.
                    int field = random.Next(2) == 0 ? Ip + 10 : Ip + Ipv4Header.MinimumLength + (probe[Ip + 9] == Ipv4Header.IcmpProtocol ? 2 : 6);
                    probe[field + random.Next(2)] ^= (byte)random.Next(1, 256);
                    return new Case(probe, null, "wrong checksum");
                }

                case 8:
                    probe[Payload + 4 + random.Next(2)] ^= (byte)random.Next(1, 256); // version or kind
                    ProbeFrames.Reseal(probe);
                    return new Case(probe, null, "wrong version or kind");
                case 9:
                {
                    byte[] noise = new byte[random.Next(0, 300)];
                    random.NextBytes(noise);
                    return new Case(noise, null, "random");
                }

                default:
                {
                    byte[] noise = new byte[random.Next(VxlanHeader.Length, 300)];
                    random.NextBytes(noise);
                    VxlanHeader.Write(noise, 1);
                    return new Case(noise, null, "VXLAN header, random rest");
                }
            }
        }

        [Fact]
        public void The_decoder_throws_on_nothing_and_finds_exactly_the_valid_probes_valid()
        {
            List<Case> cases = Generate();
            int controls = 0;
            foreach (Case c in cases)
            {
                VxlanFrame.TryDecode(c.Packet, out _, out _);
                ProbeFrame.Check(c.Packet, 1, ProbeKind.Reply, out _, out _);
                bool valid = ProbeFrame.Check(c.Packet, 1, ProbeKind.Request, out _, out _) == ProbeCheck.Valid;
                Assert.True(valid == c.ControlNonce.HasValue, $"{c.Mutation}: {Convert.ToHexString(c.Packet)}");
                controls += valid ? 1 : 0;
            }

            Assert.Equal(Total / 10, controls);
        }

        [Fact]
        public async Task A_live_responder_answers_the_controls_and_nothing_else()
        {
            List<Case> cases = Generate();
            await using var responder = new LoopbackResponder(new VxlanResponderOptions { BurstPerSource = Total, RatePerSource = Total });
            using Socket client = responder.Client();
            var replies = new ConcurrentDictionary<ulong, int>();
            var requestLengths = new Dictionary<ulong, int>();
            int invalidReplies = 0;
            using var stop = new CancellationTokenSource();
            Task receiving = Task.Run(async () =>
            {
                var buffer = new byte[65535];
                while (true)
                {
                    int length;
                    try
                    {
                        length = await client.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    if (ProbeFrame.Check(buffer.AsSpan(0, length), 1, ProbeKind.Reply, out _, out ProbePayload probe) == ProbeCheck.Valid)
                    {
                        replies.AddOrUpdate(probe.Nonce, length, (_, _) => -1); // -1 marks a second reply
                    }
                    else
                    {
                        Interlocked.Increment(ref invalidReplies);
                    }
                }
            });

            // Batches small enough for the socket buffers even when the responder's thread waits for a loaded CPU (64 overflowed
            // them at load 80); the next batch goes once the responder has taken this one in.
            const int Batch = 16;
            for (int start = 0; start < cases.Count; start += Batch)
            {
                int end = Math.Min(start + Batch, cases.Count);
                for (int i = start; i < end; i++)
                {
                    client.SendTo(cases[i].Packet, responder.EndPoint);
                    if (cases[i].ControlNonce is ulong nonce)
                    {
                        requestLengths[nonce] = cases[i].Packet.Length;
                    }
                }

                WaitUntil(() => responder.Responder.Snapshot().Received >= end);
            }

            WaitUntil(() =>
            {
                K3sNet.VxlanResponderSummary s = responder.Responder.Snapshot();
                return s.Answered + s.Dropped + s.SendFailed == Total;
            });
            K3sNet.VxlanResponderSummary summary = responder.Responder.Snapshot();
            WaitUntil(() => replies.Count >= summary.Answered);
            stop.Cancel();
            await receiving;

            Assert.Equal(Total, summary.Received);
            Assert.Equal(Total / 10, summary.Answered);
            Assert.Equal(Total - (Total / 10), summary.Dropped);
            Assert.Equal(0, summary.RateLimited);
            Assert.Equal(0, invalidReplies);
            Assert.Equal(requestLengths.Count, replies.Count);
            foreach ((ulong nonce, int length) in replies)
            {
                Assert.True(requestLengths.TryGetValue(nonce, out int requested), $"a reply to nonce {nonce}, which no control carried");
                Assert.Equal(requested, length);
            }
        }

        private static void WaitUntil(Func<bool> condition)
        {
            // Counts decide; the deadline only turns a lost datagram into a clear failure instead of a hung run.
            var patience = Stopwatch.StartNew();
            var spin = new SpinWait();
            while (!condition())
            {
                Assert.True(patience.Elapsed < TimeSpan.FromSeconds(60), "the responder stopped taking in datagrams");
                spin.SpinOnce();
            }
        }
    }
}
