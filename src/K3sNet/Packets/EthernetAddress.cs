using System;
using System.Globalization;

namespace K3sNet.Packets
{
    /// <summary>A 48-bit MAC address held in a long, so frames decode without allocating.</summary>
    internal readonly record struct EthernetAddress(long Value)
    {
        public const int Length = 6;

        public static EthernetAddress Read(ReadOnlySpan<byte> source)
        {
            long value = 0;
            for (int i = 0; i < Length; i++)
            {
                value = (value << 8) | source[i];
            }

            return new EthernetAddress(value);
        }

        /// <summary>Parses the colon form flannel's VtepMAC annotation and `ip link` use: 0a:58:0a:2a:01:00.</summary>
        public static EthernetAddress Parse(string text)
        {
            string[] parts = text.Split(':', '-');
            if (parts.Length != Length)
            {
                throw new FormatException($"'{text}' is not a MAC address like 0a:58:0a:2a:01:00.");
            }

            long value = 0;
            foreach (string part in parts)
            {
                value = (value << 8) | byte.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            return new EthernetAddress(value);
        }

        /// <summary>A locally administered unicast address (RFC 7042 §2.1) whose last four bytes are <paramref name="seed"/>.</summary>
        public static EthernetAddress LocallyAdministered(uint seed) => new(0x0200_0000_0000L | seed);

        public void Write(Span<byte> destination)
        {
            for (int i = Length - 1; i >= 0; i--)
            {
                destination[i] = (byte)(Value >> (8 * (Length - 1 - i)));
            }
        }

        public override string ToString()
        {
            Span<byte> bytes = stackalloc byte[Length];
            Write(bytes);
            return string.Join(':', bytes[0].ToString("x2", CultureInfo.InvariantCulture), bytes[1].ToString("x2", CultureInfo.InvariantCulture),
                bytes[2].ToString("x2", CultureInfo.InvariantCulture), bytes[3].ToString("x2", CultureInfo.InvariantCulture),
                bytes[4].ToString("x2", CultureInfo.InvariantCulture), bytes[5].ToString("x2", CultureInfo.InvariantCulture));
        }
    }
}
