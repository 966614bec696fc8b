using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using K3sNet.Ports;

namespace K3sNet.Aws
{
    /// <summary>
    /// The pure half of Grant- and Revoke-K3sNodeTraffic: which rule a request means, whether a group already admits it,
    /// what a rule is called, and which ports must never face the internet.
    /// </summary>
    internal static class IngressPlanner
    {
        /// <summary>The suffix that marks a rule K3sNet added; Revoke-K3sNodeTraffic finds its rules by it.</summary>
        public const string DescriptionSuffix = "(K3sNet)";

        private static readonly PortRequirement[] KnownRows = AllRows();

        /// <summary>"k3s &lt;purpose&gt; (K3sNet)", in the characters EC2 accepts in a description, at most 255 of them.</summary>
        public static string Description(TrafficProtocol protocol, int from, int to, string? purpose)
        {
            string what = string.IsNullOrWhiteSpace(purpose) ? KnownPurpose(protocol, from, to) ?? SecurityGroupAnalysis.PortText(protocol, from, to) : purpose;
            string cleaned = new(what.Select(c => char.IsAsciiLetterOrDigit(c) || " ._-:/()#,@[]+=&;{}!$*".Contains(c, StringComparison.Ordinal) ? c : ' ').ToArray());
            string description = $"k3s {cleaned.Trim()}";
            int room = 255 - DescriptionSuffix.Length - 1;
            return (description.Length > room ? description[..room] : description) + " " + DescriptionSuffix;
        }

        public static bool IsK3sNetRule(SecurityGroupRule rule) =>
            rule.Description?.EndsWith(DescriptionSuffix, StringComparison.Ordinal) == true;

        /// <summary>Whether the port is one the k3s docs say must stay inside the cluster (8472, 10250, 2379-2380, …).</summary>
        public static bool IsClusterOnly(TrafficProtocol protocol, int from, int to) =>
            KnownRows.Any(r => r.ClusterOnly && (r.Protocol == protocol || protocol == TrafficProtocol.All)
                && r.FromPort <= to && from <= r.ToPort);

        /// <summary>An existing rule that already admits everything <paramref name="wanted"/> would, or null.</summary>
        public static SecurityGroupRule? Covering(IEnumerable<SecurityGroupRule> existing, SecurityGroupRule wanted)
        {
            TrafficProtocol protocol = Ec2Protocol.Parse(wanted.IpProtocol) ?? TrafficProtocol.All;
            int from = wanted.FromPort ?? 0;
            int to = wanted.ToPort ?? 65535;
            foreach (SecurityGroupRule rule in existing)
            {
                if (!rule.Covers(protocol, from, to))
                {
                    continue;
                }

                if (wanted.ReferencedGroupId is not null && rule.ReferencedGroupId == wanted.ReferencedGroupId)
                {
                    return rule;
                }

                if (wanted.PrefixListId is not null && rule.PrefixListId == wanted.PrefixListId)
                {
                    return rule;
                }

                string? wantedCidr = wanted.CidrIpv4 ?? wanted.CidrIpv6;
                string? ruleCidr = rule.CidrIpv4 ?? rule.CidrIpv6;
                if (wantedCidr is not null && ruleCidr is not null && Cidr.TryParse(ruleCidr, out IPNetwork have)
                    && Cidr.TryParse(wantedCidr, out IPNetwork want) && have.Contains(want))
                {
                    return rule;
                }
            }

            return null;
        }

        /// <summary>The same rule: protocol, ports and source (what EC2 calls a duplicate).</summary>
        public static string Key(SecurityGroupRule rule) => string.Create(CultureInfo.InvariantCulture,
            $"{rule.IpProtocol}|{rule.FromPort}|{rule.ToPort}|{rule.Source}");

        /// <summary>What -PassThru emits for <paramref name="rule"/> in <paramref name="groupId"/>.</summary>
        public static SecurityGroupChange Change(string groupId, SecurityGroupRule rule, SecurityGroupChangeAction action, string? ruleId, string? description) => new()
        {
            GroupId = groupId,
            Protocol = Ec2Protocol.Parse(rule.IpProtocol) ?? TrafficProtocol.All,
            FromPort = rule.FromPort ?? 0,
            ToPort = rule.ToPort ?? 65535,
            Source = rule.Source,
            Description = description ?? string.Empty,
            Action = action,
            RuleId = ruleId,
        };

        public static string PortText(SecurityGroupRule rule) =>
            SecurityGroupAnalysis.PortText(Ec2Protocol.Parse(rule.IpProtocol) ?? TrafficProtocol.All, rule.FromPort ?? 0, rule.ToPort ?? 65535);

        /// <summary>The purpose of the k3s port-matrix row with exactly this protocol and ports, if there is one.</summary>
        public static string? KnownPurpose(TrafficProtocol protocol, int from, int to) =>
            KnownRows.FirstOrDefault(r => r.Protocol == protocol && r.FromPort == from && r.ToPort == to)?.Purpose;

        private static PortRequirement[] AllRows() =>
            new[] { FlannelBackend.Vxlan, FlannelBackend.HostGw, FlannelBackend.WireguardNative }
                .SelectMany(b => PortMatrix.For(new PortMatrixOptions { FlannelBackend = b, EmbeddedEtcd = true, EmbeddedRegistry = true, IPv6 = true }))
                .ToArray();
    }
}
