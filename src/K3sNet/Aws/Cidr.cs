using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace K3sNet.Aws
{
    /// <summary>
    /// CIDR blocks as EC2 takes them, held in <see cref="IPNetwork"/>: what IPNetwork does not do itself. Its Parse
    /// refuses host bits (EC2 clears them: 10.0.0.5/24 is 10.0.0.0/24) and a bare address (a host, /32 or /128), and
    /// accepts the short IPv4 forms EC2 refuses; it has no network-in-network test.
    /// </summary>
    internal static class Cidr
    {
        private static readonly IPNetwork[] Private =
        {
            Parse("10.0.0.0/8"), Parse("172.16.0.0/12"), Parse("192.168.0.0/16"), Parse("100.64.0.0/10"), Parse("fc00::/7"),
        };

        public static IPNetwork Parse(string text) =>
            TryParse(text, out IPNetwork network) ? network : throw new FormatException($"'{text}' is not a CIDR block such as 10.0.0.0/16 or 2001:db8::/64.");

        /// <summary>An address with an optional prefix length, in canonical form (host bits cleared, as EC2 stores it).</summary>
        public static bool TryParse(string? text, out IPNetwork network)
        {
            network = default;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            string[] parts = text.Trim().Split('/');
            if (parts.Length > 2 || !IsFullAddress(parts[0]) || !IPAddress.TryParse(parts[0], out IPAddress? address)
                || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                return false;
            }

            byte[] bytes = address.GetAddressBytes();
            int length = bytes.Length * 8;
            if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bytes.Length * 8))
            {
                return false;
            }

            for (int bit = length; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            network = new IPNetwork(new IPAddress(bytes), length);
            return true;
        }

        /// <summary>
        /// An IPv6 address without a zone, or an IPv4 address in four decimal parts. IPAddress also reads the short and
        /// hexadecimal forms, so "172.16/12" would be 172.0.0.16, canonically 172.0.0.0/12: public addresses a rule
        /// must never admit by a typo. EC2 accepts only the full form, and so does K3sNet.
        /// </summary>
        private static bool IsFullAddress(string text)
        {
            if (text.Contains(':', StringComparison.Ordinal))
            {
                return !text.Contains('%', StringComparison.Ordinal);
            }

            string[] octets = text.Split('.');
            return octets.Length == 4 && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit)
                && (o.Length == 1 || o[0] != '0') && int.Parse(o, CultureInfo.InvariantCulture) <= 255);
        }

        /// <summary>0.0.0.0/0 or ::/0: the whole internet.</summary>
        public static bool IsWorld(this IPNetwork network) => network.PrefixLength == 0;

        public static bool IsIPv6(this IPNetwork network) => network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;

        public static bool Contains(this IPNetwork network, string? address) =>
            address is not null && IPAddress.TryParse(address, out IPAddress? ip) && network.Contains(ip);

        /// <summary>Whether every address of <paramref name="other"/> is in <paramref name="network"/>.</summary>
        public static bool Contains(this IPNetwork network, IPNetwork other) =>
            other.PrefixLength >= network.PrefixLength && network.Contains(other.BaseAddress);

        /// <summary>
        /// The smallest network that holds both <paramref name="network"/> and <paramref name="other"/> (10.0.1.0/24 and
        /// 10.0.2.0/24 give 10.0.0.0/22): the narrowest single rule that covers both.
        /// </summary>
        public static IPNetwork Span(this IPNetwork network, IPNetwork other)
        {
            byte[] a = network.BaseAddress.GetAddressBytes();
            byte[] b = other.BaseAddress.GetAddressBytes();
            if (a.Length != b.Length)
            {
                throw new ArgumentException("An IPv4 and an IPv6 network have no common network.", nameof(other));
            }

            int length = 0;
            int limit = Math.Min(network.PrefixLength, other.PrefixLength);
            while (length < limit && ((a[length / 8] ^ b[length / 8]) & (0x80 >> (length % 8))) == 0)
            {
                length++;
            }

            for (int bit = length; bit < a.Length * 8; bit++)
            {
                a[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return new IPNetwork(new IPAddress(a), length);
        }

        /// <summary>Whether <paramref name="address"/> is private: RFC 1918, the CGNAT range, or IPv6 unique-local.</summary>
        public static bool IsPrivate(string? address) =>
            address is not null && IPAddress.TryParse(address, out IPAddress? ip) && Private.Any(c => c.Contains(ip));
    }
}
