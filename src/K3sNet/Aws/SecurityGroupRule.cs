using System.Net;

namespace K3sNet.Aws
{
    /// <summary>
    /// One ingress rule: one protocol (<c>tcp</c>, <c>udp</c>, <c>-1</c> or a number), one port range, and exactly one
    /// source (an IPv4 CIDR, an IPv6 CIDR, a security group, or a prefix list), as EC2 counts rules.
    /// </summary>
    internal sealed record SecurityGroupRule(
        string IpProtocol,
        int? FromPort,
        int? ToPort,
        string? CidrIpv4 = null,
        string? CidrIpv6 = null,
        string? ReferencedGroupId = null,
        string? PrefixListId = null,
        string? Description = null,
        string? RuleId = null)
    {
        /// <summary>The source as a person writes it: a CIDR, a group id or a prefix-list id.</summary>
        public string Source => CidrIpv4 ?? CidrIpv6 ?? ReferencedGroupId ?? PrefixListId ?? string.Empty;

        public bool AllProtocols => IpProtocol == "-1";

        /// <summary>Whether this rule admits <paramref name="protocol"/> on every port from <paramref name="from"/> to <paramref name="to"/>.</summary>
        public bool Covers(TrafficProtocol protocol, int from, int to)
        {
            if (AllProtocols)
            {
                return true;
            }

            if (protocol == TrafficProtocol.All || !string.Equals(IpProtocol, Ec2Protocol.Name(protocol), System.StringComparison.Ordinal))
            {
                return false;
            }

            return FromPort is int low && ToPort is int high && low <= from && to <= high;
        }

        /// <summary>
        /// Whether this rule admits <paramref name="protocol"/> on at least one port from <paramref name="from"/> to
        /// <paramref name="to"/>: what makes a rule an exposure even when it opens only part of a range (2379 of 2379-2380).
        /// "All traffic" is exposed only by a rule for all protocols, or every rule open to the world would count.
        /// </summary>
        public bool Overlaps(TrafficProtocol protocol, int from, int to)
        {
            if (AllProtocols)
            {
                return true;
            }

            if (protocol == TrafficProtocol.All || !string.Equals(IpProtocol, Ec2Protocol.Name(protocol), System.StringComparison.Ordinal))
            {
                return false;
            }

            return FromPort is int low && ToPort is int high && low <= to && from <= high;
        }

        public static SecurityGroupRule From(TrafficProtocol protocol, int from, int to, string source, string? description)
        {
            string ipProtocol = Ec2Protocol.Name(protocol);
            int? low = protocol == TrafficProtocol.All ? null : from;
            int? high = protocol == TrafficProtocol.All ? null : to;
            if (source.StartsWith("sg-", System.StringComparison.Ordinal))
            {
                return new SecurityGroupRule(ipProtocol, low, high, ReferencedGroupId: source, Description: description);
            }

            if (source.StartsWith("pl-", System.StringComparison.Ordinal))
            {
                return new SecurityGroupRule(ipProtocol, low, high, PrefixListId: source, Description: description);
            }

            IPNetwork cidr = Cidr.Parse(source);
            return cidr.IsIPv6()
                ? new SecurityGroupRule(ipProtocol, low, high, CidrIpv6: cidr.ToString(), Description: description)
                : new SecurityGroupRule(ipProtocol, low, high, CidrIpv4: cidr.ToString(), Description: description);
        }
    }
}
