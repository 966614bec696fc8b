using System;
using K3sNet.Packets;

namespace K3sNet.Probing
{
    /// <summary>
    /// K3sNet probes as whole RFC 7348 frames: VXLAN header, inner Ethernet II, inner IPv4 with DF, and an ICMP echo or
    /// UDP datagram whose payload is a <see cref="ProbePayload"/>. The probe client builds requests, the responder
    /// checks them strictly and turns each valid one into its reply in place (so a reply is never longer than the
    /// request), and the client checks the reply the same way.
    /// </summary>
    internal static class ProbeFrame
    {
        /// <summary>The smallest inner IPv4 packet that holds a probe: IPv4 + UDP or ICMP header + the probe.</summary>
        public const int MinimumInnerPacketSize = Ipv4Header.MinimumLength + UdpHeader.HeaderLength + ProbePayload.Length;

        /// <summary>The largest inner IPv4 packet whose frame still fits one IPv4 UDP datagram (65,507 bytes of payload).</summary>
        public const int MaximumInnerPacketSize = ushort.MaxValue - Ipv4Header.MinimumLength - UdpHeader.HeaderLength - VxlanFrame.InnerIPv4Offset;

        /// <summary>The UDP payload (VXLAN packet) length for an inner IPv4 packet of <paramref name="innerPacketSize"/> bytes.</summary>
        public static int DatagramLength(int innerPacketSize) => VxlanFrame.InnerIPv4Offset + innerPacketSize;

        /// <summary>
        /// Writes a request whose inner IPv4 packet is <paramref name="innerPacketSize"/> bytes (padding fills the rest)
        /// and returns the datagram length to send.
        /// </summary>
        public static int WriteRequest(Span<byte> destination, int vni, ProbeTransport transport, in ProbeEndpoints endpoints, ProbePayload probe, int innerPacketSize, ushort identification)
        {
            if (innerPacketSize < MinimumInnerPacketSize || innerPacketSize > MaximumInnerPacketSize)
            {
                throw new ArgumentOutOfRangeException(nameof(innerPacketSize), innerPacketSize, $"A probe's inner packet is {MinimumInnerPacketSize} to {MaximumInnerPacketSize} bytes.");
            }

            int length = DatagramLength(innerPacketSize);
            Span<byte> frame = destination.Slice(0, length);
            VxlanHeader.Write(frame, vni);
            new EthernetHeader(endpoints.DestinationMac, endpoints.SourceMac, EthernetHeader.IPv4EtherType).Write(frame.Slice(VxlanHeader.Length));
            byte protocol = transport == ProbeTransport.IcmpEcho ? Ipv4Header.IcmpProtocol : Ipv4Header.UdpProtocol;
            int transportLength = innerPacketSize - Ipv4Header.MinimumLength;
            Ipv4Header.Create(endpoints.SourceAddress, endpoints.DestinationAddress, protocol, transportLength, identification, dontFragment: true)
                .Write(frame.Slice(VxlanFrame.InnerIPv4Offset));

            Span<byte> segment = frame.Slice(VxlanFrame.InnerIPv4Offset + Ipv4Header.MinimumLength);
            // The transport headers are both 8 bytes, so the probe sits at the same place in either.
            probe.Write(segment.Slice(UdpHeader.HeaderLength));
            if (transport == ProbeTransport.IcmpEcho)
            {
                IcmpEcho.Write(segment, IcmpEcho.EchoRequestType, endpoints.SourcePort, identification, segment.Slice(IcmpEcho.HeaderLength));
            }
            else
            {
                UdpHeader.WriteHeader(segment, transportLength, endpoints.SourceAddress, endpoints.DestinationAddress, endpoints.SourcePort, endpoints.DestinationPort);
            }

            return length;
        }

        /// <summary>
        /// Checks that <paramref name="packet"/> is exactly a K3sNet probe of <paramref name="expectedKind"/> on
        /// <paramref name="vni"/>: stricter than the codec, because a responder must answer nothing else.
        /// </summary>
        public static ProbeCheck Check(ReadOnlySpan<byte> packet, int vni, ProbeKind expectedKind, out VxlanFrame frame, out ProbePayload probe)
        {
            probe = default;
            if (!VxlanFrame.TryDecode(packet, out frame, out PacketError error))
            {
                return error is PacketError.TooShortForVxlan or PacketError.VxlanFlagMissing
                    ? ProbeCheck.NotVxlan
                    : ProbeCheck.MalformedInnerPacket;
            }

            if (!frame.Vxlan.ReservedBitsClear)
            {
                return ProbeCheck.ReservedBitsSet;
            }

            if (frame.Vxlan.Vni != vni)
            {
                return ProbeCheck.WrongVni;
            }

            if (frame.Ipv4.ReservedFlag)
            {
                return ProbeCheck.InnerIPv4ReservedFlagSet;
            }

            if (frame.TrailingLength != 0 || frame.Ipv4.HeaderLength != Ipv4Header.MinimumLength || !frame.Ipv4.DontFragment
                || (!frame.IsIcmp && !frame.Udp.HasChecksum)
                || frame.Ethernet.Source != ProbeEndpoints.MacFor(frame.Ipv4.Source)
                || frame.Ethernet.Destination != ProbeEndpoints.MacFor(frame.Ipv4.Destination))
            {
                return ProbeCheck.MalformedProbe;
            }

            ProbeCheck check = ProbePayload.TryRead(packet.Slice(frame.PayloadOffset, frame.PayloadLength), out probe);
            if (check != ProbeCheck.Valid)
            {
                return check;
            }

            bool icmpAgrees = !frame.IsIcmp || frame.Icmp.IsReply == (probe.Kind == ProbeKind.Reply);
            return probe.Kind == expectedKind && icmpAgrees ? ProbeCheck.Valid : ProbeCheck.WrongKind;
        }

        /// <summary>
        /// Turns a request that <see cref="Check"/> found valid into its reply, in place and at the same length: inner
        /// addresses and ports swapped, ICMP echo reply, probe kind Reply, checksums recomputed.
        /// </summary>
        public static void TurnIntoReply(Span<byte> packet, in VxlanFrame request)
        {
            Span<byte> frame = packet.Slice(0, VxlanFrame.InnerIPv4Offset + request.Ipv4.TotalLength);
            new EthernetHeader(request.Ethernet.Source, request.Ethernet.Destination, EthernetHeader.IPv4EtherType).Write(frame.Slice(VxlanHeader.Length));
            int transportLength = request.Ipv4.TotalLength - Ipv4Header.MinimumLength;
            (request.Ipv4 with { Source = request.Ipv4.Destination, Destination = request.Ipv4.Source, TimeToLive = 64 })
                .Write(frame.Slice(VxlanFrame.InnerIPv4Offset));

            Span<byte> segment = frame.Slice(request.TransportOffset);
            ProbePayload.MarkAsReply(segment.Slice(UdpHeader.HeaderLength));
            if (request.IsIcmp)
            {
                IcmpEcho.Write(segment, IcmpEcho.EchoReplyType, request.Icmp.Identifier, request.Icmp.Sequence, segment.Slice(IcmpEcho.HeaderLength));
            }
            else
            {
                UdpHeader.WriteHeader(segment, transportLength, request.Ipv4.Destination, request.Ipv4.Source, request.Udp.DestinationPort, request.Udp.SourcePort);
            }
        }
    }
}
