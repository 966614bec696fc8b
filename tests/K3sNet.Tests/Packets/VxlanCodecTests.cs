using System;
using System.Net;
using K3sNet.Packets;

namespace K3sNet.Tests.Packets
{
    /// <summary>The codec against byte vectors written out by hand from RFC 7348, RFC 791 and RFC 768.</summary>
    public sealed class VxlanCodecTests
    {
        [Theory]
        // RFC 7348 §5: flags 0x08 (I), 24 reserved bits, the VNI in the next 24 bits, 8 reserved bits.
        [InlineData(1, new byte[] { 0x08, 0, 0, 0, 0x00, 0x00, 0x01, 0 })]
        [InlineData(4096, new byte[] { 0x08, 0, 0, 0, 0x00, 0x10, 0x00, 0 })]
        [InlineData(0xFFFFFF, new byte[] { 0x08, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0 })]
        public void Writes_and_reads_the_VXLAN_header(int vni, byte[] expected)
        {
            var buffer = new byte[VxlanHeader.Length];
            VxlanHeader.Write(buffer, vni);
            Assert.Equal(expected, buffer);

            Assert.True(VxlanHeader.TryRead(expected, out VxlanHeader header, out PacketError error));
            Assert.Equal(PacketError.None, error);
            Assert.Equal(new VxlanHeader(VxlanHeader.IFlag, vni, ReservedBitsClear: true), header);
        }

        [Fact]
        public void A_VNI_beyond_24_bits_cannot_be_written()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => VxlanHeader.Write(new byte[8], 0x1000000));
        }

        [Fact]
        public void Reserved_bits_are_ignored_on_receipt_but_reported()
        {
            byte[] header = { 0x0C, 0, 0x01, 0, 0, 0, 0x01, 0x7F };
            Assert.True(VxlanHeader.TryRead(header, out VxlanHeader read, out _));
            Assert.Equal(1, read.Vni);
            Assert.False(read.ReservedBitsClear);
        }

        [Theory]
        [InlineData(new byte[] { 0x00, 0, 0, 0, 0, 0, 1, 0 }, nameof(PacketError.VxlanFlagMissing))]
        [InlineData(new byte[] { 0x08, 0, 0, 0, 0, 0, 1 }, nameof(PacketError.TooShortForVxlan))]
        [InlineData(new byte[0], nameof(PacketError.TooShortForVxlan))]
        public void Refuses_what_is_not_a_VXLAN_header(byte[] packet, string expected)
        {
            Assert.False(VxlanHeader.TryRead(packet, out _, out PacketError error));
            Assert.Equal(expected, error.ToString());
            Assert.NotEmpty(PacketErrors.Describe(error));
        }

        // The IPv4 header of RFC 1071's usual worked example: 192.168.0.1 -> 192.168.0.199, UDP, DF, TTL 64, 115 bytes.
        // 4500+0073+0000+4000+4011+c0a8+0001+c0a8+00c7 = 0x2479C -> 0x479E -> ~ = 0xB861.
        private static readonly byte[] Ipv4Vector =
        {
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61,
            0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7,
        };

        [Fact]
        public void Writes_an_IPv4_header_with_DF_and_its_checksum()
        {
            var buffer = new byte[20];
            Ipv4Header.Create(Ipv4Header.ToNumber(IPAddress.Parse("192.168.0.1")), Ipv4Header.ToNumber(IPAddress.Parse("192.168.0.199")),
                Ipv4Header.UdpProtocol, 0x73 - 20, identification: 0, dontFragment: true).Write(buffer);
            Assert.Equal(Ipv4Vector, buffer);
        }

        [Fact]
        public void Reads_an_IPv4_header()
        {
            byte[] packet = new byte[0x73];
            Ipv4Vector.CopyTo(packet, 0);
            Assert.True(Ipv4Header.TryRead(packet, out Ipv4Header header, out _));
            Assert.True(header.DontFragment);
            Assert.Equal(0x73, header.TotalLength);
            Assert.Equal(64, header.TimeToLive);
            Assert.Equal(Ipv4Header.UdpProtocol, header.Protocol);
            Assert.Equal(Ipv4Header.ToNumber(IPAddress.Parse("192.168.0.199")), header.Destination);
        }

        [Theory]
        [InlineData(11, 0x01, nameof(PacketError.BadIPv4Checksum))]    // checksum low byte
        [InlineData(0, 0x10, nameof(PacketError.NotIPv4Version))]      // version 5
        [InlineData(0, 0x01, nameof(PacketError.BadIPv4HeaderLength))] // IHL 4
        [InlineData(2, 0x01, nameof(PacketError.BadIPv4TotalLength))]  // 0x0173 bytes claimed, 0x73 received
        public void Refuses_a_damaged_IPv4_header(int offset, byte flip, string expected)
        {
            byte[] packet = new byte[0x73];
            Ipv4Vector.CopyTo(packet, 0);
            packet[offset] ^= flip;

            Assert.False(Ipv4Header.TryRead(packet, out _, out PacketError error));
            Assert.Equal(expected, error.ToString());
        }

        [Fact]
        public void Refuses_a_fragment()
        {
            var buffer = new byte[40];
            new Ipv4Header(20, 40, 7, false, true, 0, 64, Ipv4Header.UdpProtocol, 1, 2).Write(buffer);
            Assert.False(Ipv4Header.TryRead(buffer, out _, out PacketError error));
            Assert.Equal(PacketError.IPv4Fragment, error);
        }

        // UDP 10.42.1.0:40000 -> 10.42.2.0:9000, "abcd". Pseudo header and datagram as 16-bit words:
        // 0a2a+0100+0a2a+0200+0011+000c + 9c40+2328+000c+0000+6162+6364 = 0x19BAB -> 0x9BAC -> ~ = 0x6453.
        private static readonly byte[] UdpVector = { 0x9C, 0x40, 0x23, 0x28, 0x00, 0x0C, 0x64, 0x53, 0x61, 0x62, 0x63, 0x64 };
        private static readonly uint UdpSource = Ipv4Header.ToNumber(IPAddress.Parse("10.42.1.0"));
        private static readonly uint UdpDestination = Ipv4Header.ToNumber(IPAddress.Parse("10.42.2.0"));

        [Fact]
        public void Writes_the_UDP_checksum_over_the_pseudo_header()
        {
            var datagram = new byte[12];
            "abcd"u8.CopyTo(datagram.AsSpan(8));
            UdpHeader.WriteHeader(datagram, 12, UdpSource, UdpDestination, 40000, 9000);
            Assert.Equal(UdpVector, datagram);
        }

        [Fact]
        public void Reads_a_UDP_datagram_and_checks_it_belongs_to_its_addresses()
        {
            Assert.True(UdpHeader.TryRead(UdpVector, UdpSource, UdpDestination, out UdpHeader header, out _));
            Assert.Equal(new UdpHeader(40000, 9000, 12, HasChecksum: true), header);

            // Delivered to another address, the same bytes fail: the pseudo header is what the checksum protects.
            Assert.False(UdpHeader.TryRead(UdpVector, UdpSource, UdpDestination + 1, out _, out PacketError error));
            Assert.Equal(PacketError.BadUdpChecksum, error);
        }

        [Fact]
        public void A_zero_UDP_checksum_means_none_over_IPv4()
        {
            byte[] datagram = (byte[])UdpVector.Clone();
            datagram[6] = 0;
            datagram[7] = 0;
            Assert.True(UdpHeader.TryRead(datagram, UdpSource, UdpDestination, out UdpHeader header, out _));
            Assert.False(header.HasChecksum);
        }

        [Fact]
        public void Refuses_a_UDP_length_that_disagrees_with_the_bytes()
        {
            Assert.False(UdpHeader.TryRead(UdpVector.AsSpan(0, 11), UdpSource, UdpDestination, out _, out PacketError error));
            Assert.Equal(PacketError.BadUdpLength, error);
        }

        [Fact]
        public void Parses_and_prints_a_VtepMAC()
        {
            EthernetAddress mac = EthernetAddress.Parse("0a:58:0a:2a:01:00");
            Assert.Equal(0x0A580A2A0100L, mac.Value);
            Assert.Equal("0a:58:0a:2a:01:00", mac.ToString());
        }

        [Fact]
        public void Wide_checksum_agrees_with_word_by_word_summing()
        {
            var random = new Random(7);
            for (int length = 0; length < 200; length++)
            {
                byte[] data = new byte[length];
                random.NextBytes(data);
                uint slow = 0;
                for (int i = 0; i < length; i += 2)
                {
                    slow += (uint)((data[i] << 8) | (i + 1 < length ? data[i + 1] : 0));
                }

                Assert.Equal(InternetChecksum.Fold(slow), InternetChecksum.Compute(data));
            }
        }
    }
}
