using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace K3sNet.Packets
{
    /// <summary>
    /// An IPv4 header (RFC 791). Addresses are held as big-endian numbers so decoding allocates nothing; DF is what MTU
    /// probing depends on. K3sNet writes 20-byte headers (no options); it reads headers with options too.
    /// </summary>
    internal readonly record struct Ipv4Header(
        int HeaderLength,
        int TotalLength,
        ushort Identification,
        bool DontFragment,
        bool MoreFragments,
        int FragmentOffset,
        byte TimeToLive,
        byte Protocol,
        uint Source,
        uint Destination)
    {
        public const int MinimumLength = 20;
        public const byte IcmpProtocol = 1;
        public const byte UdpProtocol = 17;
        private const ushort ReservedFlagBit = 0x8000;
        private const ushort DontFragmentBit = 0x4000;
        private const ushort MoreFragmentsBit = 0x2000;

        /// <summary>
        /// The first flag bit, which RFC 791 reserves and requires to be zero. Read and written so a header survives a
        /// round trip; the probe checks refuse a packet that sets it.
        /// </summary>
        public bool ReservedFlag { get; init; }

        /// <summary>A header for <paramref name="payloadLength"/> bytes of <paramref name="protocol"/>, no options.</summary>
        public static Ipv4Header Create(uint source, uint destination, byte protocol, int payloadLength, ushort identification, bool dontFragment, byte timeToLive = 64) =>
            new(MinimumLength, MinimumLength + payloadLength, identification, dontFragment, false, 0, timeToLive, protocol, source, destination);

        /// <summary>Writes this header (20 bytes, options are not written) with its checksum.</summary>
        public void Write(Span<byte> destination)
        {
            if (HeaderLength != MinimumLength)
            {
                throw new InvalidOperationException("K3sNet writes IPv4 headers without options.");
            }

            destination[0] = 0x45;
            destination[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2, 2), (ushort)TotalLength);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(4, 2), Identification);
            ushort flags = (ushort)((ReservedFlag ? ReservedFlagBit : 0) | (DontFragment ? DontFragmentBit : 0) | (MoreFragments ? MoreFragmentsBit : 0) | (FragmentOffset >> 3));
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(6, 2), flags);
            destination[8] = TimeToLive;
            destination[9] = Protocol;
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(10, 2), 0);
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(12, 4), Source);
            BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(16, 4), Destination);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(10, 2), InternetChecksum.Compute(destination.Slice(0, MinimumLength)));
        }

        /// <summary>
        /// Reads a header and checks it against the bytes received. Bytes beyond the total length are allowed (Ethernet
        /// pads short frames); a fragment is refused, since its payload cannot be read on its own.
        /// </summary>
        public static bool TryRead(ReadOnlySpan<byte> packet, out Ipv4Header header, out PacketError error)
        {
            header = default;
            if (packet.Length < MinimumLength)
            {
                error = PacketError.TooShortForIPv4;
                return false;
            }

            if ((packet[0] >> 4) != 4)
            {
                error = PacketError.NotIPv4Version;
                return false;
            }

            int headerLength = (packet[0] & 0x0F) * 4;
            if (headerLength < MinimumLength || headerLength > packet.Length)
            {
                error = PacketError.BadIPv4HeaderLength;
                return false;
            }

            int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2, 2));
            if (totalLength < headerLength || totalLength > packet.Length)
            {
                error = PacketError.BadIPv4TotalLength;
                return false;
            }

            if (!InternetChecksum.IsValid(packet.Slice(0, headerLength)))
            {
                error = PacketError.BadIPv4Checksum;
                return false;
            }

            ushort flags = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(6, 2));
            bool moreFragments = (flags & MoreFragmentsBit) != 0;
            int fragmentOffset = (flags & 0x1FFF) * 8;
            if (moreFragments || fragmentOffset != 0)
            {
                error = PacketError.IPv4Fragment;
                return false;
            }

            header = new Ipv4Header(
                headerLength,
                totalLength,
                BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(4, 2)),
                (flags & DontFragmentBit) != 0,
                moreFragments,
                fragmentOffset,
                packet[8],
                packet[9],
                BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(12, 4)),
                BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(16, 4)))
            {
                ReservedFlag = (flags & ReservedFlagBit) != 0,
            };
            error = PacketError.None;
            return true;
        }

        public static uint ToNumber(IPAddress address)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
            }

            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
    }
}
