using System;
using K3sNet.Packets;
using K3sNet.Probing;

namespace K3sNet.Tests.Probing
{
    public sealed class ProbeFrameTests
    {
        [Theory]
        [InlineData(ProbeTransport.IcmpEcho, ProbeFrame.MinimumInnerPacketSize)]
        [InlineData(ProbeTransport.IcmpEcho, 1450)]
        [InlineData(ProbeTransport.Udp, ProbeFrame.MinimumInnerPacketSize)]
        [InlineData(ProbeTransport.Udp, 8951)]
        internal void A_request_is_an_RFC_7348_frame_of_the_size_asked_for(ProbeTransport transport, int size)
        {
            byte[] frame = ProbeFrames.Request(transport, size);
            Assert.Equal(VxlanHeader.Length + EthernetHeader.Length + size, frame.Length);
            Assert.True(VxlanFrame.TryDecode(frame, out VxlanFrame decoded, out PacketError error), error.ToString());
            Assert.Equal(size, decoded.Ipv4.TotalLength);
            Assert.True(decoded.Ipv4.DontFragment);
            Assert.Equal(transport == ProbeTransport.IcmpEcho, decoded.IsIcmp);
            Assert.Equal(ProbeCheck.Valid, ProbeFrame.Check(frame, 1, ProbeKind.Request, out _, out ProbePayload probe));
            Assert.Equal(new ProbePayload(ProbeKind.Request, 0x1122334455667788, 1234567), probe);
        }

        [Theory]
        [InlineData(ProbeTransport.IcmpEcho)]
        [InlineData(ProbeTransport.Udp)]
        internal void A_reply_is_the_request_turned_around_at_the_same_length(ProbeTransport transport)
        {
            byte[] frame = ProbeFrames.Request(transport, 300);
            int length = frame.Length;
            Assert.Equal(ProbeCheck.Valid, ProbeFrame.Check(frame, 1, ProbeKind.Request, out VxlanFrame request, out _));

            ProbeFrame.TurnIntoReply(frame, request);

            Assert.Equal(length, frame.Length);
            Assert.Equal(ProbeCheck.Valid, ProbeFrame.Check(frame, 1, ProbeKind.Reply, out VxlanFrame reply, out ProbePayload probe));
            Assert.Equal(ProbeKind.Reply, probe.Kind);
            Assert.Equal(0x1122334455667788UL, probe.Nonce);
            Assert.Equal(request.Ipv4.Source, reply.Ipv4.Destination);
            Assert.Equal(request.Ipv4.Destination, reply.Ipv4.Source);
            Assert.Equal(request.Ethernet.Source, reply.Ethernet.Destination);
            if (transport == ProbeTransport.IcmpEcho)
            {
                Assert.True(reply.Icmp.IsReply);
            }
            else
            {
                Assert.Equal(request.Udp.SourcePort, reply.Udp.DestinationPort);
            }

            // A reply is not a request: a responder never answers it (no ping-pong between two responders).
            Assert.Equal(ProbeCheck.WrongKind, ProbeFrames.CheckRequest(frame));
        }

        public static TheoryData<string, Action<byte[]>, string> Damage() => new()
        {
            { "no I flag", f => f[0] = 0x00, nameof(ProbeCheck.NotVxlan) },
            { "another flag", f => f[0] = 0x88, nameof(ProbeCheck.ReservedBitsSet) },
            { "reserved byte", f => f[7] = 1, nameof(ProbeCheck.ReservedBitsSet) },
            { "VNI 2", f => f[6] = 2, nameof(ProbeCheck.WrongVni) },
            { "IPv6 EtherType", f => { f[20] = 0x86; f[21] = 0xDD; }, nameof(ProbeCheck.MalformedInnerPacket) },
            { "IPv4 checksum", f => f[VxlanFrame.InnerIPv4Offset + 10] ^= 0xFF, nameof(ProbeCheck.MalformedInnerPacket) },
            { "ICMP checksum", f => f[VxlanFrame.InnerIPv4Offset + 22] ^= 0x01, nameof(ProbeCheck.MalformedInnerPacket) },
            { "a MAC that is not its address's", f => { f[13] ^= 1; }, nameof(ProbeCheck.MalformedProbe) },
            { "magic", f => { f[50] = (byte)'X'; ProbeFrames.Reseal(f); }, nameof(ProbeCheck.NotAProbe) },
            { "version", f => { f[54] = 9; ProbeFrames.Reseal(f); }, nameof(ProbeCheck.UnsupportedVersion) },
            { "kind", f => { f[55] = 7; ProbeFrames.Reseal(f); }, nameof(ProbeCheck.WrongKind) },
            { "reserved probe byte", f => { f[56] = 1; ProbeFrames.Reseal(f); }, nameof(ProbeCheck.MalformedProbe) },
            { "padding", f => { f[^1] = 1; ProbeFrames.Reseal(f); }, nameof(ProbeCheck.MalformedProbe) },
        };

        [Theory]
        [MemberData(nameof(Damage))]
        public void Refuses_a_damaged_probe_with_the_reason(string what, Action<byte[]> damage, string expected)
        {
            byte[] frame = ProbeFrames.Request(ProbeTransport.IcmpEcho, 120);
            damage(frame);
            Assert.True(expected == ProbeFrames.CheckRequest(frame).ToString(), what);
        }

        [Fact]
        public void Refuses_a_probe_with_bytes_after_it()
        {
            byte[] frame = ProbeFrames.Request();
            Array.Resize(ref frame, frame.Length + 4);
            Assert.Equal(ProbeCheck.MalformedProbe, ProbeFrames.CheckRequest(frame));
        }

        [Fact]
        public void Refuses_a_UDP_probe_without_a_checksum()
        {
            byte[] frame = ProbeFrames.Request(ProbeTransport.Udp);
            frame[VxlanFrame.InnerIPv4Offset + 26] = 0;
            frame[VxlanFrame.InnerIPv4Offset + 27] = 0;
            Assert.Equal(ProbeCheck.MalformedProbe, ProbeFrames.CheckRequest(frame));
        }

        [Theory]
        [InlineData(ProbeTransport.IcmpEcho)]
        [InlineData(ProbeTransport.Udp)]
        internal void Refuses_a_probe_whose_inner_IPv4_header_sets_the_reserved_flag(ProbeTransport transport)
        {
            byte[] frame = ProbeFrames.Request(transport);
            var span = frame.AsSpan(VxlanFrame.InnerIPv4Offset);
            Assert.True(Ipv4Header.TryRead(span, out Ipv4Header ip, out _));
            (ip with { ReservedFlag = true }).Write(span);

            // The header is otherwise valid (its checksum recomputed), and the flag is on the wire where RFC 791 puts it.
            Assert.Equal(0xC0, frame[VxlanFrame.InnerIPv4Offset + 6]);
            Assert.True(Ipv4Header.TryRead(span, out Ipv4Header read, out PacketError error), error.ToString());
            Assert.True(read.ReservedFlag);
            Assert.Equal(ProbeCheck.InnerIPv4ReservedFlagSet, ProbeFrames.CheckRequest(frame));
        }

        [Fact]
        public void Refuses_a_probe_without_DF()
        {
            byte[] frame = ProbeFrames.Request();
            var span = frame.AsSpan(VxlanFrame.InnerIPv4Offset);
            Assert.True(Ipv4Header.TryRead(span, out Ipv4Header ip, out _));
            (ip with { DontFragment = false }).Write(span);
            Assert.Equal(ProbeCheck.MalformedProbe, ProbeFrames.CheckRequest(frame));
        }

        [Fact]
        public void Decoding_and_checking_a_frame_allocate_nothing()
        {
            byte[] icmp = ProbeFrames.Request(ProbeTransport.IcmpEcho, 1450);
            byte[] udp = ProbeFrames.Request(ProbeTransport.Udp, 1450);
            byte[] garbage = ProbeFrames.Request();
            garbage[VxlanFrame.InnerIPv4Offset + 10] ^= 0xFF;
            Run(); // JIT first

            long before = GC.GetAllocatedBytesForCurrentThread();
            int decoded = Run();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(20_000, decoded);
            Assert.Equal(0, allocated);

            int Run()
            {
                int ok = 0;
                for (int i = 0; i < 10_000; i++)
                {
                    ok += VxlanFrame.TryDecode(icmp, out _, out _) ? 1 : 0;
                    ok += ProbeFrame.Check(udp, 1, ProbeKind.Request, out _, out _) == ProbeCheck.Valid ? 1 : 0;
                    ok += VxlanFrame.TryDecode(garbage, out _, out _) ? 1 : 0;
                }

                return ok;
            }
        }
    }
}
