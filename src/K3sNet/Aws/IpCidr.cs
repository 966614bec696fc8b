using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace K3sNet.Aws
{
    /// <summary>An IPv4 or IPv6 network in CIDR notation, held in canonical form (host bits cleared, as EC2 stores it).</summary>
    internal readonly struct IpCidr : IEquatable<IpCidr>
    {
        private readonly byte[] _network;

        private IpCidr(byte[] network, int prefixLength)
        {
            _network = network;
            PrefixLength = prefixLength;
        }

        public int PrefixLength { get; }

        public bool IsIPv6 => _network.Length == 16;

        /// <summary>0.0.0.0/0 or ::/0: the whole internet.</summary>
        public bool IsWorld => PrefixLength == 0;

        public static IpCidr Parse(string text) =>
            TryParse(text, out IpCidr cidr) ? cidr : throw new FormatException($"'{text}' is not a CIDR block such as 10.0.0.0/16 or 2001:db8::/64.");

        public static bool TryParse(string? text, out IpCidr cidr)
        {
            cidr = default;
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

            cidr = new IpCidr(bytes, length);
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

        /// <summary>The single-address network: /32 for IPv4, /128 for IPv6.</summary>
        public static IpCidr Host(IPAddress address) => new(address.GetAddressBytes(), address.GetAddressBytes().Length * 8);

        public bool Contains(IPAddress address)
        {
            byte[] bytes = address.GetAddressBytes();
            if (bytes.Length != _network.Length)
            {
                return false;
            }

            for (int bit = 0; bit < PrefixLength; bit++)
            {
                int mask = 0x80 >> (bit % 8);
                if ((bytes[bit / 8] & mask) != (_network[bit / 8] & mask))
                {
                    return false;
                }
            }

            return true;
        }

        public bool Contains(string? address) => address is not null && IPAddress.TryParse(address, out IPAddress? ip) && Contains(ip);

        /// <summary>Whether every address of <paramref name="other"/> is in this network.</summary>
        public bool Contains(IpCidr other) =>
            other._network.Length == _network.Length && other.PrefixLength >= PrefixLength && Contains(new IPAddress(other._network));

        /// <summary>
        /// The smallest network that holds both this one and <paramref name="other"/> (10.0.1.0/24 and 10.0.2.0/24 give
        /// 10.0.0.0/22): the narrowest single rule that covers both.
        /// </summary>
        public IpCidr Span(IpCidr other)
        {
            if (other._network.Length != _network.Length)
            {
                throw new ArgumentException("An IPv4 and an IPv6 network have no common network.", nameof(other));
            }

            int length = 0;
            int limit = Math.Min(PrefixLength, other.PrefixLength);
            while (length < limit && ((_network[length / 8] ^ other._network[length / 8]) & (0x80 >> (length % 8))) == 0)
            {
                length++;
            }

            byte[] bytes = (byte[])_network.Clone();
            for (int bit = length; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return new IpCidr(bytes, length);
        }

        public bool Equals(IpCidr other) => PrefixLength == other.PrefixLength && _network.AsSpan().SequenceEqual(other._network);

        public override bool Equals(object? obj) => obj is IpCidr other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(PrefixLength, _network.Length, _network[^1]);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{new IPAddress(_network)}/{PrefixLength}");

        /// <summary>Whether <paramref name="address"/> is private: RFC 1918, the CGNAT range, or IPv6 unique-local.</summary>
        public static bool IsPrivate(string? address)
        {
            if (address is null || !IPAddress.TryParse(address, out IPAddress? ip))
            {
                return false;
            }

            return Private.Any(c => c.Contains(ip));
        }

        private static readonly IpCidr[] Private =
        {
            Parse("10.0.0.0/8"), Parse("172.16.0.0/12"), Parse("192.168.0.0/16"), Parse("100.64.0.0/10"), Parse("fc00::/7"),
        };
    }
}
