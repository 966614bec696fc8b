using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;

namespace K3sNet.Aws
{
    /// <summary>
    /// Judges traffic against network ACLs as EC2 does: stateless, entries in rule-number order, the first entry that
    /// matches decides, and the final <c>*</c> entry denies whatever nothing matched. A port range passes only when every
    /// port in it is allowed by the first entry that matches that port.
    /// </summary>
    internal static class NetworkAclEvaluator
    {
        /// <summary>The ports Linux picks for the client side of a TCP connection (net.ipv4.ip_local_port_range).</summary>
        public const int EphemeralFrom = 32768;

        public const int EphemeralTo = 60999;

        /// <summary>Null when the ACL lets the traffic through; otherwise the entry (or the default deny) that stops it.</summary>
        public static string? Blocks(Ec2NetworkAcl acl, bool egress, TrafficProtocol protocol, int from, int to, string peerAddress)
        {
            bool ipv6 = peerAddress.Contains(':', System.StringComparison.Ordinal);
            var undecided = new List<(int From, int To)> { (from, to) };
            foreach (NetworkAclEntry entry in acl.Entries.Where(e => e.Egress == egress).OrderBy(e => e.RuleNumber))
            {
                string? cidr = ipv6 ? entry.Ipv6CidrBlock : entry.CidrBlock;
                if (cidr is null || !Cidr.TryParse(cidr, out IPNetwork network) || !network.Contains(peerAddress))
                {
                    continue;
                }

                bool anyProtocol = entry.Protocol == "-1";
                if (!anyProtocol && (protocol == TrafficProtocol.All || entry.Protocol != Ec2Protocol.Number(protocol)))
                {
                    // A protocol-specific entry decides nothing about "all traffic" unless it denies part of it.
                    if (!(protocol == TrafficProtocol.All && !entry.Allow))
                    {
                        continue;
                    }
                }

                int low = anyProtocol || entry.FromPort is null ? 0 : entry.FromPort.Value;
                int high = anyProtocol || entry.ToPort is null ? 65535 : entry.ToPort.Value;
                var remaining = new List<(int From, int To)>();
                foreach ((int f, int t) in undecided)
                {
                    if (high < f || low > t)
                    {
                        remaining.Add((f, t));
                        continue;
                    }

                    if (!entry.Allow)
                    {
                        return Describe(acl, entry, egress);
                    }

                    if (f < low)
                    {
                        remaining.Add((f, low - 1));
                    }

                    if (t > high)
                    {
                        remaining.Add((high + 1, t));
                    }
                }

                undecided = remaining;
                if (undecided.Count == 0)
                {
                    return null;
                }
            }

            return string.Create(CultureInfo.InvariantCulture,
                $"{acl.NetworkAclId} {(egress ? "outbound" : "inbound")} rule * (no entry allows {Ec2Protocol.Name(protocol)}/{Ports(from, to)} {(egress ? "to" : "from")} {peerAddress})");
        }

        private static string Describe(Ec2NetworkAcl acl, NetworkAclEntry entry, bool egress) =>
            string.Create(CultureInfo.InvariantCulture,
                $"{acl.NetworkAclId} {(egress ? "outbound" : "inbound")} rule {entry.RuleNumber} (deny {(entry.Protocol == "-1" ? "all" : entry.Protocol == "6" ? "tcp" : entry.Protocol == "17" ? "udp" : entry.Protocol)}{(entry.FromPort is int f ? "/" + Ports(f, entry.ToPort ?? f) : string.Empty)} {(egress ? "to" : "from")} {entry.CidrBlock ?? entry.Ipv6CidrBlock})");

        private static string Ports(int from, int to) => from == to
            ? from.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{from}-{to}");
    }
}
