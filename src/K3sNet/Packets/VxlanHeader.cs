using System;
using System.Buffers.Binary;

namespace K3sNet.Packets
{
    /// <summary>
    /// The 8-byte VXLAN header of RFC 7348 §5: flags (the I flag, 0x08, says the VNI is valid), 24 reserved bits, the
    /// 24-bit VXLAN Network Identifier, 8 reserved bits. Flannel uses VNI 1 on Linux.
    /// </summary>
    internal readonly record struct VxlanHeader(byte Flags, int Vni, bool ReservedBitsClear)
    {
        public const int Length = 8;
        public const byte IFlag = 0x08;
        public const int MaxVni = 0xFFFFFF;

        /// <summary>Writes a header with only the I flag set and every reserved field zero, as RFC 7348 requires of a sender.</summary>
        public static void Write(Span<byte> destination, int vni)
        {
            if ((uint)vni > MaxVni)
            {
                throw new ArgumentOutOfRangeException(nameof(vni), vni, $"A VNI is 24 bits: 0 to {MaxVni}.");
            }

            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)IFlag << 24);
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4), (uint)vni << 8);
        }

        /// <summary>
        /// Reads a header. A receiver must ignore the reserved fields (RFC 7348 §5), so they do not fail the read;
        /// <see cref="ReservedBitsClear"/> tells a strict reader (the responder) whether they were zero.
        /// </summary>
        public static bool TryRead(ReadOnlySpan<byte> packet, out VxlanHeader header, out PacketError error)
        {
            header = default;
            if (packet.Length < Length)
            {
                error = PacketError.TooShortForVxlan;
                return false;
            }

            uint first = BinaryPrimitives.ReadUInt32BigEndian(packet);
            uint second = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(4));
            byte flags = (byte)(first >> 24);
            if ((flags & IFlag) == 0)
            {
                error = PacketError.VxlanFlagMissing;
                return false;
            }

            bool clear = flags == IFlag && (first & 0xFFFFFF) == 0 && (second & 0xFF) == 0;
            header = new VxlanHeader(flags, (int)(second >> 8), clear);
            error = PacketError.None;
            return true;
        }
    }
}
