using System;
using System.Buffers.Binary;

namespace K3sNet.Packets
{
    /// <summary>
    /// ICMP echo request and reply (RFC 792): type, code, checksum, identifier, sequence, then the payload. Used by the
    /// ICMP sockets that ping underlay and overlay addresses, and inside the frames K3sNet's probes carry.
    /// </summary>
    internal static class IcmpEcho
    {
        public const int HeaderLength = 8;
        public const byte EchoReplyType = 0;
        public const byte EchoRequestType = 8;

        /// <summary>Writes an echo message with its checksum and returns its length.</summary>
        public static int Write(Span<byte> destination, byte type, ushort identifier, ushort sequence, ReadOnlySpan<byte> payload)
        {
            int length = HeaderLength + payload.Length;
            if (destination.Length < length)
            {
                throw new ArgumentException($"An ICMP echo of {payload.Length} payload bytes needs {length} bytes.", nameof(destination));
            }

            destination[0] = type;
            destination[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2, 2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(4, 2), identifier);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(6, 2), sequence);
            payload.CopyTo(destination.Slice(HeaderLength));
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2, 2), InternetChecksum.Compute(destination.Slice(0, length)));
            return length;
        }

        /// <summary>
        /// Reads an echo request or reply. Never throws: anything else (too short, another ICMP type, a bad checksum)
        /// returns false with the reason.
        /// </summary>
        public static bool TryRead(ReadOnlySpan<byte> message, out IcmpEchoHeader header, out string? reason, bool verifyChecksum = true)
        {
            if (TryRead(message, out header, out PacketError error, verifyChecksum))
            {
                reason = null;
                return true;
            }

            reason = error switch
            {
                PacketError.TooShortForIcmp => $"An ICMP echo needs {HeaderLength} bytes; got {message.Length}.",
                PacketError.NotIcmpEcho => $"ICMP type {message[0]} is not an echo request or reply.",
                PacketError.BadIcmpCode => $"ICMP echo code must be 0; got {message[1]}.",
                _ => PacketErrors.Describe(error),
            };
            return false;
        }

        /// <summary>Reads an echo request or reply without allocating: the frame decoder's form of <see cref="TryRead(ReadOnlySpan{byte}, out IcmpEchoHeader, out string?, bool)"/>.</summary>
        public static bool TryRead(ReadOnlySpan<byte> message, out IcmpEchoHeader header, out PacketError error, bool verifyChecksum = true)
        {
            header = default;
            if (message.Length < HeaderLength)
            {
                error = PacketError.TooShortForIcmp;
                return false;
            }

            byte type = message[0];
            if (type != EchoReplyType && type != EchoRequestType)
            {
                error = PacketError.NotIcmpEcho;
                return false;
            }

            if (message[1] != 0)
            {
                error = PacketError.BadIcmpCode;
                return false;
            }

            if (verifyChecksum && !InternetChecksum.IsValid(message))
            {
                error = PacketError.BadIcmpChecksum;
                return false;
            }

            header = new IcmpEchoHeader(
                type,
                BinaryPrimitives.ReadUInt16BigEndian(message.Slice(4, 2)),
                BinaryPrimitives.ReadUInt16BigEndian(message.Slice(6, 2)));
            error = PacketError.None;
            return true;
        }
    }
}
