using System;

namespace K3sNet.Packets
{
    /// <summary>
    /// A decoded VXLAN packet (the payload of the outer UDP datagram, RFC 7348 §5): VXLAN header, inner Ethernet II,
    /// inner IPv4, then an ICMP echo or a UDP datagram. A value type of headers and offsets into the caller's buffer:
    /// decoding copies nothing and allocates nothing.
    /// </summary>
    internal readonly record struct VxlanFrame(
        VxlanHeader Vxlan,
        EthernetHeader Ethernet,
        Ipv4Header Ipv4,
        IcmpEchoHeader Icmp,
        UdpHeader Udp,
        int PayloadOffset,
        int PayloadLength,
        int TrailingLength)
    {
        public const int InnerIPv4Offset = VxlanHeader.Length + EthernetHeader.Length;

        /// <summary>What VXLAN adds to an inner IPv4 packet on the wire: outer IPv4, UDP, VXLAN and inner Ethernet.</summary>
        public const int EncapsulationOverhead = Ipv4Header.MinimumLength + UdpHeader.HeaderLength + InnerIPv4Offset;

        public bool IsIcmp => Ipv4.Protocol == Ipv4Header.IcmpProtocol;

        /// <summary>The offset of the inner ICMP or UDP header.</summary>
        public int TransportOffset => InnerIPv4Offset + Ipv4.HeaderLength;

        /// <summary>
        /// Decodes <paramref name="packet"/>, checking every length and checksum. Never throws: anything that is not a
        /// well-formed VXLAN frame carrying IPv4 ICMP echo or UDP returns false with the reason.
        /// </summary>
        public static bool TryDecode(ReadOnlySpan<byte> packet, out VxlanFrame frame, out PacketError error)
        {
            frame = default;
            if (!VxlanHeader.TryRead(packet, out VxlanHeader vxlan, out error)
                || !EthernetHeader.TryRead(packet.Slice(VxlanHeader.Length), out EthernetHeader ethernet, out error))
            {
                return false;
            }

            if (ethernet.EtherType != EthernetHeader.IPv4EtherType)
            {
                error = PacketError.NotIPv4EtherType;
                return false;
            }

            ReadOnlySpan<byte> inner = packet.Slice(InnerIPv4Offset);
            if (!Ipv4Header.TryRead(inner, out Ipv4Header ipv4, out error))
            {
                return false;
            }

            ReadOnlySpan<byte> transport = inner.Slice(ipv4.HeaderLength, ipv4.TotalLength - ipv4.HeaderLength);
            int transportOffset = InnerIPv4Offset + ipv4.HeaderLength;
            int trailing = inner.Length - ipv4.TotalLength;
            switch (ipv4.Protocol)
            {
                case Ipv4Header.IcmpProtocol:
                    if (!IcmpEcho.TryRead(transport, out IcmpEchoHeader icmp, out error))
                    {
                        return false;
                    }

                    frame = new VxlanFrame(vxlan, ethernet, ipv4, icmp, default, transportOffset + IcmpEcho.HeaderLength, transport.Length - IcmpEcho.HeaderLength, trailing);
                    return true;

                case Ipv4Header.UdpProtocol:
                    if (!UdpHeader.TryRead(transport, ipv4.Source, ipv4.Destination, out UdpHeader udp, out error))
                    {
                        return false;
                    }

                    frame = new VxlanFrame(vxlan, ethernet, ipv4, default, udp, transportOffset + UdpHeader.HeaderLength, transport.Length - UdpHeader.HeaderLength, trailing);
                    return true;

                default:
                    error = PacketError.UnsupportedProtocol;
                    return false;
            }
        }
    }
}
