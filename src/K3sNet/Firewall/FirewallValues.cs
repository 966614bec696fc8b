using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace K3sNet.Firewall
{
    /// <summary>
    /// Values a rule compares (interface names, addresses, protocols, ports, conntrack states, marks) and the patterns
    /// they are compared with. A left-hand side resolves to a value, to <see cref="Unknown"/>, or to
    /// <see cref="Absent"/> (the header is not there: "udp dport" on a TCP packet), which fails any comparison.
    /// </summary>
    internal static class FirewallValues
    {
        public static readonly object Unknown = new();

        public static readonly object Absent = new();

        public static string ProtocolName(string text) => text switch
        {
            "1" => "icmp",
            "6" => "tcp",
            "17" => "udp",
            _ => text.ToLowerInvariant(),
        };

        /// <summary>
        /// == and "in" (any pattern matches) or != (none does). Null when the value or a pattern is unknown and the
        /// known patterns do not settle it.
        /// </summary>
        public static bool? Compare(string op, object value, IReadOnlyList<ValuePattern>? patterns)
        {
            if (ReferenceEquals(value, Absent))
            {
                return false;
            }

            if (ReferenceEquals(value, Unknown) || patterns is null)
            {
                return null;
            }

            bool anyUnknown = false;
            bool any = false;
            foreach (ValuePattern pattern in patterns)
            {
                bool? m = pattern.Matches(value);
                if (m == true)
                {
                    any = true;
                    break;
                }

                anyUnknown |= m is null;
            }

            bool? found = any ? true : anyUnknown ? null : false;
            return op switch
            {
                "==" or "in" => found,
                "!=" => found is bool f ? !f : null,
                _ => null,
            };
        }
    }

    /// <summary>One value, prefix, range or wildcard a rule compares with.</summary>
    internal sealed record ValuePattern(string Text, Func<object, bool?> Matches)
    {
        public static ValuePattern Exact(string text)
        {
            if (IPAddress.TryParse(text, out IPAddress? address) && text.Contains('.', StringComparison.Ordinal))
            {
                return new ValuePattern(text, v => v is IPAddress a ? a.Equals(address) : null);
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long number))
            {
                return Number(number);
            }

            if (text.EndsWith('*'))
            {
                // An interface wildcard: iifname "veth*" (iptables' "veth+").
                string stem = text[..^1];
                return new ValuePattern(text, v => v is string s ? s.StartsWith(stem, StringComparison.Ordinal) : null);
            }

            return new ValuePattern(text, v => v switch
            {
                string s => string.Equals(s, text, StringComparison.Ordinal) || string.Equals(s, FirewallValues.ProtocolName(text), StringComparison.Ordinal),
                long n => FirewallValues.ProtocolName(n.ToString(CultureInfo.InvariantCulture)) == FirewallValues.ProtocolName(text) ? true : null,
                _ => null,
            });
        }

        public static ValuePattern Number(long number) => new(
            number.ToString(CultureInfo.InvariantCulture),
            v => v switch
            {
                long n => n == number,
                EphemeralPorts r => r.Matches(number, number),
                string s => s == FirewallValues.ProtocolName(number.ToString(CultureInfo.InvariantCulture)) ? true : FirewallValues.ProtocolName(number.ToString(CultureInfo.InvariantCulture)) is "icmp" or "tcp" or "udp" ? false : null,
                _ => null,
            });

        public static ValuePattern? Prefix(string address, int length)
        {
            if (!IPAddress.TryParse(address, out IPAddress? network) || network.AddressFamily != AddressFamily.InterNetwork || length is < 0 or > 32)
            {
                return null;
            }

            uint mask = length == 0 ? 0u : uint.MaxValue << (32 - length);
            uint bits = ToUInt(network) & mask;
            return new ValuePattern($"{address}/{length}", v => v is IPAddress a ? a.AddressFamily == AddressFamily.InterNetwork && (ToUInt(a) & mask) == bits : null);
        }

        public static ValuePattern? Range(string low, string high)
        {
            if (long.TryParse(low, NumberStyles.Integer, CultureInfo.InvariantCulture, out long lo)
                && long.TryParse(high, NumberStyles.Integer, CultureInfo.InvariantCulture, out long hi))
            {
                return new ValuePattern($"{lo}-{hi}", v => v switch
                {
                    long n => n >= lo && n <= hi,
                    EphemeralPorts r => r.Matches(lo, hi),
                    _ => null,
                });
            }

            if (IPAddress.TryParse(low, out IPAddress? a) && IPAddress.TryParse(high, out IPAddress? b)
                && a.AddressFamily == AddressFamily.InterNetwork && b.AddressFamily == AddressFamily.InterNetwork)
            {
                uint x = ToUInt(a), y = ToUInt(b);
                return new ValuePattern($"{low}-{high}", v => v is IPAddress p && p.AddressFamily == AddressFamily.InterNetwork ? ToUInt(p) >= x && ToUInt(p) <= y : null);
            }

            return null;
        }

        private static uint ToUInt(IPAddress address)
        {
            byte[] b = address.GetAddressBytes();
            return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        }
    }
}
