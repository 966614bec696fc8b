using System;
using System.Buffers.Binary;

namespace K3sNet.Probing
{
    /// <summary>
    /// What a K3sNet probe carries inside the inner ICMP echo or UDP datagram: magic "K3sN", version, kind, two reserved
    /// zero bytes, a nonce the sender matches replies with, the sender's timestamp (echoed back, so a round trip needs
    /// no state), then zero padding up to the size being probed.
    /// </summary>
    internal readonly record struct ProbePayload(ProbeKind Kind, ulong Nonce, long Timestamp)
    {
        public const int Length = 24;
        public const uint Magic = 0x4B33734E; // "K3sN"
        public const byte CurrentVersion = 1;
        private const int KindOffset = 5;

        /// <summary>Writes the probe and zeroes <paramref name="destination"/>'s remaining bytes as padding.</summary>
        public void Write(Span<byte> destination)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, Magic);
            destination[4] = CurrentVersion;
            destination[KindOffset] = (byte)Kind;
            destination[6] = 0;
            destination[7] = 0;
            BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(8, 8), Nonce);
            BinaryPrimitives.WriteInt64BigEndian(destination.Slice(16, 8), Timestamp);
            destination.Slice(Length).Clear();
        }

        /// <summary>Turns a request in place into its reply; everything else stays as the sender wrote it.</summary>
        public static void MarkAsReply(Span<byte> payload) => payload[KindOffset] = (byte)ProbeKind.Reply;

        /// <summary>Reads and strictly checks a probe: magic, version, a known kind, zero reserved bytes, zero padding.</summary>
        public static ProbeCheck TryRead(ReadOnlySpan<byte> payload, out ProbePayload probe)
        {
            probe = default;
            if (payload.Length < Length || BinaryPrimitives.ReadUInt32BigEndian(payload) != Magic)
            {
                return ProbeCheck.NotAProbe;
            }

            if (payload[4] != CurrentVersion)
            {
                return ProbeCheck.UnsupportedVersion;
            }

            var kind = (ProbeKind)payload[KindOffset];
            if (kind != ProbeKind.Request && kind != ProbeKind.Reply)
            {
                return ProbeCheck.WrongKind;
            }

            if (payload[6] != 0 || payload[7] != 0 || payload.Slice(Length).IndexOfAnyExcept((byte)0) >= 0)
            {
                return ProbeCheck.MalformedProbe;
            }

            probe = new ProbePayload(
                kind,
                BinaryPrimitives.ReadUInt64BigEndian(payload.Slice(8, 8)),
                BinaryPrimitives.ReadInt64BigEndian(payload.Slice(16, 8)));
            return ProbeCheck.Valid;
        }
    }
}
