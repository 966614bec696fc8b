using System;
using System.Buffers.Binary;

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
            int i = 0;
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
    }
}
