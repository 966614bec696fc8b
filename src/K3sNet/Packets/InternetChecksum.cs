using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace K3sNet.Packets
{
    /// <summary>
    /// The RFC 1071 ones'-complement checksum that IPv4, ICMP and UDP share. Sums accumulate in 32 bits so a pseudo
    /// header and a payload can be added in separate calls before folding.
    /// </summary>
    internal static class InternetChecksum
    {
        /// <summary>Adds <paramref name="data"/> to a running sum, as 16-bit big-endian words (an odd last byte padded with zero).</summary>
        public static uint Add(uint sum, ReadOnlySpan<byte> data)
        {
            // The bulk goes 8 bytes at a time in the machine's own byte order: a ones'-complement sum does not depend on
            // byte order as long as it is swapped once at the end (RFC 1071 §2B). Probes of 9000 bytes stay cheap.
            int i = 0;
            if (data.Length >= 8)
            {
                ref byte start = ref MemoryMarshal.GetReference(data);
                ulong wide = 0;
                for (; i + 8 <= data.Length; i += 8)
                {
                    ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
                    wide += word;
                    if (wide < word)
                    {
                        wide++; // end-around carry
                    }
                }

                ushort folded = FoldWide(wide);
                sum += BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;
            }

            for (; i + 1 < data.Length; i += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i, 2));
            }

            if (i < data.Length)
            {
                sum += (uint)(data[i] << 8);
            }

            return sum;
        }

        /// <summary>Folds the carries back in and complements: the value to write into a checksum field.</summary>
        public static ushort Fold(uint sum)
        {
            while ((sum >> 16) != 0)
            {
                sum = (sum & 0xFFFF) + (sum >> 16);
            }

            return (ushort)~sum;
        }

        public static ushort Compute(ReadOnlySpan<byte> data) => Fold(Add(0, data));

        /// <summary>True when <paramref name="data"/>, its checksum field included, sums to the all-ones value.</summary>
        public static bool IsValid(ReadOnlySpan<byte> data) => Compute(data) == 0;

        /// <summary>
        /// The sum of an IPv4 pseudo header (RFC 768): source, destination, zero, protocol, length. UDP's checksum covers
        /// it so a datagram delivered to the wrong address fails the check.
        /// </summary>
        public static uint PseudoHeader(uint source, uint destination, byte protocol, int length) =>
            (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (uint)length;

        /// <summary>Folds a 64-bit ones'-complement sum to 16 bits, without complementing.</summary>
        private static ushort FoldWide(ulong sum)
        {
            sum = (sum & 0xFFFFFFFF) + (sum >> 32);
            sum = (sum & 0xFFFFFFFF) + (sum >> 32);
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)sum;
        }
    }
}
