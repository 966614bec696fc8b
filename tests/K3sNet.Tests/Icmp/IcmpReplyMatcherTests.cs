using System;
using System.Net;
using K3sNet.Icmp;
using K3sNet.Packets;

namespace K3sNet.Tests.Icmp
{
    public sealed class IcmpReplyMatcherTests
    {
        private static readonly IPAddress Peer = IPAddress.Parse("10.42.2.0");
        private static readonly byte[] Token = { 1, 2, 3, 4, 5, 6, 7, 8 };

        private static byte[] Echo(byte type, ushort id, ushort seq, byte[] payload)
        {
            var message = new byte[IcmpEcho.HeaderLength + payload.Length];
            IcmpEcho.Write(message, type, id, seq, payload);
            return message;
        }

        private static byte[] InIpv4(byte[] icmp, IPAddress source, byte protocol = 1)
        {
            var packet = new byte[20 + icmp.Length];
            packet[0] = 0x45;
            packet[9] = protocol;
            source.GetAddressBytes().CopyTo(packet, 12);
            icmp.CopyTo(packet, 20);
            return packet;
        }

        [Fact]
        public void A_raw_socket_reply_matches_by_source_identifier_sequence_and_token()
        {
            byte[] reply = InIpv4(Echo(IcmpEcho.EchoReplyType, 7, 9, Token), Peer);
            Assert.True(IcmpReplyMatcher.IsReplyTo(reply, IcmpSocketKind.Raw, Peer, 7, 9, Token, out string? reason), reason);
        }

        [Fact]
        public void A_datagram_socket_reply_matches_whatever_identifier_the_kernel_gave_it()
        {
            byte[] reply = Echo(IcmpEcho.EchoReplyType, 4242, 9, Token);
            Assert.True(IcmpReplyMatcher.IsReplyTo(reply, IcmpSocketKind.Datagram, Peer, 7, 9, Token, out _));
        }

        [Theory]
        [InlineData("another source")]
        [InlineData("another identifier")]
        [InlineData("another sequence")]
        [InlineData("another token")]
        [InlineData("a request")]
        [InlineData("not icmp")]
        [InlineData("bad checksum")]
        public void Refuses_what_is_not_this_probes_reply_with_a_reason(string what)
        {
            byte[] icmp = what switch
            {
                "another identifier" => Echo(IcmpEcho.EchoReplyType, 8, 9, Token),
                "another sequence" => Echo(IcmpEcho.EchoReplyType, 7, 10, Token),
                "another token" => Echo(IcmpEcho.EchoReplyType, 7, 9, new byte[8]),
                "a request" => Echo(IcmpEcho.EchoRequestType, 7, 9, Token),
                _ => Echo(IcmpEcho.EchoReplyType, 7, 9, Token),
            };
            if (what == "bad checksum")
            {
                icmp[^1] ^= 0xFF;
            }

            IPAddress source = what == "another source" ? IPAddress.Parse("10.42.1.0") : Peer;
            byte[] packet = InIpv4(icmp, source, what == "not icmp" ? (byte)17 : (byte)1);
            Assert.False(IcmpReplyMatcher.IsReplyTo(packet, IcmpSocketKind.Raw, Peer, 7, 9, Token, out string? reason));
            Assert.False(string.IsNullOrEmpty(reason));
        }

        [Fact]
        public void Never_throws_on_random_bytes()
        {
            var random = new Random(8472);
            for (int i = 0; i < 20000; i++)
            {
                var buffer = new byte[random.Next(0, 80)];
                random.NextBytes(buffer);
                if (buffer.Length > 0 && random.Next(2) == 0)
                {
                    buffer[0] = (byte)(0x40 | random.Next(16));
                }

                IcmpReplyMatcher.IsReplyTo(buffer, IcmpSocketKind.Raw, Peer, 7, 9, Token, out _);
                IcmpReplyMatcher.IsReplyTo(buffer, IcmpSocketKind.Datagram, Peer, 7, 9, Token, out _);
            }
        }
    }
}
