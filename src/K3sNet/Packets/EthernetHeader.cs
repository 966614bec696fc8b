using System;
using System.Buffers.Binary;

namespace K3sNet.Packets
{
    /// <summary>The Ethernet II header VXLAN carries inside (RFC 7348 §5: inner destination, source, EtherType; no FCS).</summary>
    internal readonly record struct EthernetHeader(EthernetAddress Destination, EthernetAddress Source, ushort EtherType)
    {
        public const int Length = 14;
        public const ushort IPv4EtherType = 0x0800;

        public void Write(Span<byte> destination)
        {
            Destination.Write(destination);
            Source.Write(destination.Slice(EthernetAddress.Length));
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(12, 2), EtherType);
        }

        public static bool TryRead(ReadOnlySpan<byte> frame, out EthernetHeader header, out PacketError error)
        {
            header = default;
            if (frame.Length < Length)
            {
                error = PacketError.TooShortForEthernet;
                return false;
            }

            header = new EthernetHeader(
                EthernetAddress.Read(frame),
                EthernetAddress.Read(frame.Slice(EthernetAddress.Length)),
                BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12, 2)));
            error = PacketError.None;
            return true;
        }
    }
}
