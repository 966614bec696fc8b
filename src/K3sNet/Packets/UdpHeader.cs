using System;
using System.Buffers.Binary;

namespace K3sNet.Packets
{
    /// <summary>
    /// A UDP header (RFC 768). Its checksum covers an IPv4 pseudo header, so reading and writing take the addresses.
    /// Over IPv4 a zero checksum means "none was computed" (HasChecksum false) and is not an error.
    /// </summary>
    internal readonly record struct UdpHeader(ushort SourcePort, ushort DestinationPort, int Length, bool HasChecksum)
    {
        public const int HeaderLength = 8;

        /// <summary>
        /// Writes the header in front of a payload already in place at <paramref name="datagram"/>[8..length], with
        /// its checksum. Building in place means a probe is copied nowhere on its way out.
        /// </summary>
        public static void WriteHeader(Span<byte> datagram, int length, uint source, uint destination, ushort sourcePort, ushort destinationPort)
        {
            BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(datagram.Slice(2, 2), destinationPort);
            BinaryPrimitives.WriteUInt16BigEndian(datagram.Slice(4, 2), (ushort)length);
            BinaryPrimitives.WriteUInt16BigEndian(datagram.Slice(6, 2), 0);
            ushort checksum = InternetChecksum.Fold(InternetChecksum.Add(
                InternetChecksum.PseudoHeader(source, destination, Ipv4Header.UdpProtocol, length),
                datagram.Slice(0, length)));
            // A computed zero is sent as all ones: zero on the wire means "no checksum" (RFC 768).
            BinaryPrimitives.WriteUInt16BigEndian(datagram.Slice(6, 2), checksum == 0 ? (ushort)0xFFFF : checksum);
        }

        /// <summary>Reads the header of a datagram that fills <paramref name="datagram"/> exactly, checking length and checksum.</summary>
        public static bool TryRead(ReadOnlySpan<byte> datagram, uint source, uint destination, out UdpHeader header, out PacketError error)
        {
            header = default;
            if (datagram.Length < HeaderLength)
            {
                error = PacketError.TooShortForUdp;
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(4, 2));
            if (length != datagram.Length)
            {
                error = PacketError.BadUdpLength;
                return false;
            }

            bool hasChecksum = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(6, 2)) != 0;
            if (hasChecksum && InternetChecksum.Fold(InternetChecksum.Add(
                    InternetChecksum.PseudoHeader(source, destination, Ipv4Header.UdpProtocol, length), datagram)) != 0)
            {
                error = PacketError.BadUdpChecksum;
                return false;
            }

            header = new UdpHeader(
                BinaryPrimitives.ReadUInt16BigEndian(datagram),
                BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2, 2)),
                length,
                hasChecksum);
            error = PacketError.None;
            return true;
        }
    }
}
