using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;

namespace K3sNet.Aws
{
    /// <summary>
    /// Judges every required flow between every ordered pair of nodes as EC2 would: some security group on the
    /// destination's interface admits the source (a CIDR holding its address, or a group on the source's interface when
    /// the address is one of its private ones), and the network ACLs pass the flow both ways. Decisions are memoised by
    /// configuration (the destination's groups, the source's groups and address, the ACLs on the path), so the work
    /// grows with distinct configurations; only emitting a verdict per pair grows with the pairs.
    /// </summary>
    internal sealed class SecurityGroupAnalysis
    {
        private readonly IReadOnlyDictionary<string, Ec2SecurityGroup> _groups;
        private readonly Dictionary<string, Ec2NetworkAcl> _aclBySubnet = new(StringComparer.Ordinal);
        // Tuple keys of references and numbers: looking a decision up allocates nothing, which matters at a million pairs.
        private readonly Dictionary<(string DestinationGroups, string SourceGroups, string From, PortRequirement Requirement), SgDecision> _sgMemo = new();
        private readonly Dictionary<(string Acl, bool Egress, TrafficProtocol Protocol, int From, int To, string Peer), string?> _aclMemo = new();
        // Per-verdict text built from parts that repeat across a million verdicts: each address's host CIDR and each
        // requirement's port text are computed once, not parsed and formatted again for every pair.
        private readonly Dictionary<string, string> _hostCidrs = new(StringComparer.Ordinal);
        private readonly Dictionary<PortRequirement, string> _portNames = new(ReferenceEqualityComparer.Instance);
        // The group to change and the source to suggest, as Grant-K3sNodeTraffic would choose them (memoised inside).
        private SecurityGroupChooser? _chooser;

        /// <param name="chooser">Who picks GroupId and SuggestedSource; without it, one that knows only the judged nodes.</param>
        public SecurityGroupAnalysis(IReadOnlyDictionary<string, Ec2SecurityGroup> groups, IEnumerable<Ec2NetworkAcl> acls, SecurityGroupChooser? chooser = null)
        {
            _groups = groups;
            _chooser = chooser;
            foreach (Ec2NetworkAcl acl in acls)
            {
                AclCount++;
                foreach (string subnet in acl.SubnetIds)
                {
                    _aclBySubnet[subnet] = acl;
                }
            }
        }

        /// <summary>How many security groups the analysis knows.</summary>
        public int GroupCount => _groups.Count;

        /// <summary>How many network ACLs the analysis knows.</summary>
        public int AclCount { get; }

        /// <summary>How many distinct security-group decisions the analysis made (for tests and benchmarks).</summary>
        public int DistinctDecisions => _sgMemo.Count + _aclMemo.Count;

        public IEnumerable<SecurityGroupVerdict> Judge(IReadOnlyList<AnalysisNode> nodes, IReadOnlyList<PortRequirement> requirements) =>
            Judge(nodes, requirements, keep: null);

        /// <summary>
        /// The verdicts whose status <paramref name="keep"/> accepts (all when it is null). A pair it refuses is judged from
        /// the memoised decisions alone and never built: no verdict object, no reason text (-NotAllowed at 2 M pairs).
        /// </summary>
        public IEnumerable<SecurityGroupVerdict> Judge(
            IReadOnlyList<AnalysisNode> nodes, IReadOnlyList<PortRequirement> requirements, Func<SecurityGroupVerdictStatus, bool>? keep)
        {
            foreach ((AnalysisNode source, AnalysisNode destination, string from, string to, PortRequirement requirement) in Pairs(nodes, requirements))
            {
                if (keep is null || keep(StatusOf(source, destination, from, to, requirement, out _, out _)))
                {
                    yield return Verdict(source, destination, from, to, requirement);
                }
            }
        }

        /// <summary>
        /// One summary per group to change, flow, status, blocker and fix, with its node pairs (-Summary), for the pairs
        /// whose status <paramref name="keep"/> accepts. Pairs of one configuration (the same requirement, the destination's
        /// groups and VPC, the source's groups or address, and the same decision) get the same verdict but for their names:
        /// one verdict is built per configuration, through <see cref="Verdict"/> itself so the group and the suggested
        /// source are chosen exactly as for the per-pair output, and every pair of that configuration joins its summary.
        /// </summary>
        public IReadOnlyList<SecurityGroupVerdictSummary> Summarize(
            IReadOnlyList<AnalysisNode> nodes, IReadOnlyList<PortRequirement> requirements, Func<SecurityGroupVerdictStatus, bool>? keep)
        {
            var byConfiguration = new Dictionary<(PortRequirement, int, int, string?, SecurityGroupVerdictStatus, string?), VerdictSummaryBuilder>();
            // The configuration decides the verdict but for the pair's names: the destination's groups and VPC (the group to
            // change, and what blocks), the source's groups when a group reference can match (else its address: the /32
            // to suggest), the status, and the network ACL entry that blocks, if one does (it may name the address).
            var bySummary = new Dictionary<(string?, PortRequirement, SecurityGroupVerdictStatus, string?, string?), VerdictSummaryBuilder>();
            var order = new List<VerdictSummaryBuilder>();
            // Each node's groups and VPC as a number, found once per node by reference: the per-pair key then hashes
            // numbers, not the strings, which matters at two million pairs.
            var groupsAndVpc = new Dictionary<(string, string?), int>();
            var configurationOf = new Dictionary<AnalysisNode, int>(ReferenceEqualityComparer.Instance);
            int ConfigurationOf(AnalysisNode node)
            {
                if (!configurationOf.TryGetValue(node, out int id))
                {
                    var key = (node.GroupsKey, node.Instance.VpcId);
                    if (!groupsAndVpc.TryGetValue(key, out id))
                    {
                        id = groupsAndVpc.Count;
                        groupsAndVpc[key] = id;
                    }

                    configurationOf[node] = id;
                }

                return id;
            }

            foreach ((AnalysisNode source, AnalysisNode destination, string from, string to, PortRequirement requirement) in Pairs(nodes, requirements))
            {
                SecurityGroupVerdictStatus status = StatusOf(source, destination, from, to, requirement, out bool byGroup, out string? aclBlock);
                if (keep is not null && !keep(status))
                {
                    continue;
                }

                var configuration = (requirement, ConfigurationOf(destination), byGroup ? ConfigurationOf(source) : -1, byGroup ? null : from, status, aclBlock);
                if (!byConfiguration.TryGetValue(configuration, out VerdictSummaryBuilder? builder))
                {
                    SecurityGroupVerdict verdict = Verdict(source, destination, from, to, requirement);
                    var key = (verdict.GroupId, requirement, verdict.Status, verdict.BlockedBy, verdict.SuggestedSource);
                    if (!bySummary.TryGetValue(key, out builder))
                    {
                        builder = new VerdictSummaryBuilder(verdict, PortName(requirement));
                        bySummary[key] = builder;
                        order.Add(builder);
                    }

                    byConfiguration[configuration] = builder;
                }

                builder.Add(source, destination, from, to);
            }

            return order.Select(b => b.Build()).ToList();
        }

        /// <summary>
        /// Every ordered pair of distinct instances a requirement applies to, with the addresses the flow uses. The group
        /// chooser is made here, at the first pair, from the nodes judged: Judge and Summarize both start from these pairs.
        /// </summary>
        private IEnumerable<(AnalysisNode Source, AnalysisNode Destination, string From, string To, PortRequirement Requirement)> Pairs(
            IReadOnlyList<AnalysisNode> nodes, IReadOnlyList<PortRequirement> requirements)
        {
            _chooser ??= new SecurityGroupChooser(_groups, nodes.Select(n => n.Instance), null);
            foreach (PortRequirement requirement in requirements)
            {
                AnalysisNode[] destinations = nodes.Where(n => n.In(requirement.Destination)).ToArray();
                AnalysisNode[] sources = nodes.Where(n => n.In(requirement.Source)).ToArray();
                foreach (bool ipv6 in Families(requirement))
                {
                    foreach (AnalysisNode destination in destinations)
                    {
                        foreach (AnalysisNode source in sources)
                        {
                            if (ReferenceEquals(source, destination) || source.Instance.InstanceId == destination.Instance.InstanceId)
                            {
                                continue;
                            }

                            string? from = source.AddressFor(requirement, ipv6);
                            string? to = destination.AddressFor(requirement, ipv6);
                            if (from is null || to is null)
                            {
                                continue;
                            }

                            yield return (source, destination, from, to, requirement);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The status <see cref="Verdict"/> gives the pair, from the memoised decisions alone, with the network ACL entry
        /// that blocks it (if one does) and whether a group reference can match.
        /// </summary>
        private SecurityGroupVerdictStatus StatusOf(
            AnalysisNode source, AnalysisNode destination, string from, string to, PortRequirement requirement, out bool byGroup, out string? aclBlock)
        {
            byGroup = GroupReferenceMatches(source, destination, from);
            SgDecision sg = SecurityGroups(source, destination, from, byGroup, requirement);
            aclBlock = sg.Status == SecurityGroupVerdictStatus.Blocked ? null : NetworkAcls(source, destination, from, to, requirement);
            return aclBlock is null ? sg.Status : SecurityGroupVerdictStatus.Blocked;
        }

        /// <summary>Every rule on the nodes' groups that opens a cluster-only port to 0.0.0.0/0 or ::/0.</summary>
        public IEnumerable<SecurityGroupVerdict> Exposures(IReadOnlyList<AnalysisNode> nodes, IReadOnlyList<PortRequirement> requirements)
        {
            foreach (string groupId in nodes.SelectMany(n => n.Instance.GroupIds).Distinct(StringComparer.Ordinal))
            {
                if (!_groups.TryGetValue(groupId, out Ec2SecurityGroup? group))
                {
                    continue;
                }

                foreach (PortRequirement requirement in requirements.Where(r => r.ClusterOnly))
                {
                    foreach (SecurityGroupRule rule in group.Ingress.Where(r => r.Overlaps(requirement.Protocol, requirement.FromPort, requirement.ToPort)))
                    {
                        string? world = rule.CidrIpv4 is string v4 && Cidr.TryParse(v4, out IPNetwork c4) && c4.IsWorld() ? v4
                            : rule.CidrIpv6 is string v6 && Cidr.TryParse(v6, out IPNetwork c6) && c6.IsWorld() ? v6
                            : null;
                        if (world is null)
                        {
                            continue;
                        }

                        yield return new SecurityGroupVerdict
                        {
                            Source = world,
                            Destination = group.GroupName.Length > 0 ? group.GroupName : group.GroupId,
                            Protocol = requirement.Protocol,
                            FromPort = requirement.FromPort,
                            ToPort = requirement.ToPort,
                            Purpose = requirement.Purpose,
                            Allowed = true,
                            Status = SecurityGroupVerdictStatus.Exposed,
                            ClusterOnly = true,
                            GroupId = group.GroupId,
                            VpcId = group.VpcId,
                            BlockedBy = null,
                            SuggestedSource = null,
                            Reason = string.Create(CultureInfo.InvariantCulture,
                                $"{group.GroupId} admits {Describe(rule)}: {requirement.Purpose} ({Name(requirement)}) must never be reachable from the internet. Revoke that rule; the nodes need it only from each other's security group."),
                        };
                    }
                }
            }
        }

        private static IEnumerable<bool> Families(PortRequirement requirement)
        {
            if (requirement.IPFamily.HasFlag(IPFamilies.IPv4))
            {
                yield return false;
            }

            if (requirement.IPFamily.HasFlag(IPFamilies.IPv6))
            {
                yield return true;
            }
        }

        private SecurityGroupVerdict Verdict(AnalysisNode source, AnalysisNode destination, string from, string to, PortRequirement requirement)
        {
            bool byGroup = GroupReferenceMatches(source, destination, from);
            SgDecision sg = SecurityGroups(source, destination, from, byGroup, requirement);
            string? aclBlock = sg.Status == SecurityGroupVerdictStatus.Blocked ? null : NetworkAcls(source, destination, from, to, requirement);
            SecurityGroupVerdictStatus status = aclBlock is null ? sg.Status : SecurityGroupVerdictStatus.Blocked;
            string port = PortName(requirement);
            string fromNamed = source.Named(from);
            string toNamed = destination.Named(to);
            GroupChoice target = _chooser!.ForDestination(destination.Instance, to);
            GroupChoice? sourceChoice = byGroup ? _chooser.ForSource(source.Instance, from, target.GroupId) : null;
            string? suggested = sourceChoice?.Kind switch
            {
                GroupChoiceKind.Chosen => sourceChoice.GroupId,
                GroupChoiceKind.Ambiguous => null,
                _ => HostCidr(from),
            };
            string fix = suggested ?? $"one of {string.Join(", ", sourceChoice!.Candidates)} (K3sNet will not choose: {sourceChoice.Why} Name one with -SourceGroupId)";
            string into = target.Kind == GroupChoiceKind.Chosen ? string.Empty : $" K3sNet will not choose the group to change: {target.Why} Name it with -GroupId.";
            // Each reason is one string built from its parts: it names the pair, so it cannot be shared.
            string reason = status switch
            {
                SecurityGroupVerdictStatus.Allowed => $"{sg.By} admits {port} from {fromNamed} to {toNamed}.",
                SecurityGroupVerdictStatus.Unknown =>
                    $"Only a prefix-list rule ({sg.By}) might admit {port} from {fromNamed} to {toNamed}; K3sNet does not read prefix lists. Grant {fix} to be sure.{into}",
                _ when aclBlock is not null => $"Network ACL {aclBlock} stops {port} from {fromNamed} to {toNamed}. Security groups cannot override a network ACL: change the ACL entry.",
                _ => $"No rule in {sg.By} admits {port} from {fromNamed} to {toNamed}. Add an inbound rule from {fix}.{into}",
            };

            return new SecurityGroupVerdict
            {
                Source = source.Name,
                Destination = destination.Name,
                SourceAddress = from,
                DestinationAddress = to,
                SourceInstanceId = source.Instance.InstanceId,
                DestinationInstanceId = destination.Instance.InstanceId,
                Protocol = requirement.Protocol,
                FromPort = requirement.FromPort,
                ToPort = requirement.ToPort,
                Purpose = requirement.Purpose,
                Allowed = status == SecurityGroupVerdictStatus.Allowed,
                Status = status,
                ClusterOnly = requirement.ClusterOnly,
                VpcId = destination.Instance.VpcId,
                GroupId = target.GroupId,
                BlockedBy = aclBlock ?? (sg.Status == SecurityGroupVerdictStatus.Blocked ? sg.By : null),
                SuggestedSource = status == SecurityGroupVerdictStatus.Allowed ? null : suggested,
                Reason = reason,
            };
        }

        /// <summary>
        /// Whether a rule naming one of the source's security groups matches the flow: only when the address is one of
        /// the source's private ones and both are in one VPC. Then the narrowest source that fixes a blocked flow is the
        /// source's own security group, else the address alone.
        /// </summary>
        private static bool GroupReferenceMatches(AnalysisNode source, AnalysisNode destination, string from) =>
            string.Equals(source.Instance.VpcId, destination.Instance.VpcId, StringComparison.Ordinal)
            && (HasAddress(source.Instance.PrivateIpAddresses, from) || HasAddress(source.Instance.Ipv6Addresses, from));

        // A loop, not Enumerable.Contains with a comparer: that boxes an enumerator, twice per verdict.
        private static bool HasAddress(IReadOnlyList<string> addresses, string address)
        {
            for (int i = 0; i < addresses.Count; i++)
            {
                if (string.Equals(addresses[i], address, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The single-address CIDR of <paramref name="address"/> (10.0.1.5/32), parsed once per address.</summary>
        private string HostCidr(string address)
        {
            if (!_hostCidrs.TryGetValue(address, out string? cidr))
            {
                cidr = Cidr.Parse(address).ToString();
                _hostCidrs[address] = cidr;
            }

            return cidr;
        }

        private string PortName(PortRequirement requirement)
        {
            if (!_portNames.TryGetValue(requirement, out string? name))
            {
                name = Name(requirement);
                _portNames[requirement] = name;
            }

            return name;
        }

        private SgDecision SecurityGroups(AnalysisNode source, AnalysisNode destination, string from, bool byGroup, PortRequirement requirement)
        {
            var key = (destination.GroupsKey, byGroup ? source.GroupsKey : "-", from, requirement);
            if (_sgMemo.TryGetValue(key, out SgDecision? memo))
            {
                return memo;
            }

            string? unknown = null;
            SgDecision? decision = null;
            foreach (string groupId in destination.Instance.GroupIds)
            {
                if (!_groups.TryGetValue(groupId, out Ec2SecurityGroup? group))
                {
                    continue;
                }

                foreach (SecurityGroupRule rule in group.Ingress.Where(r => r.Covers(requirement.Protocol, requirement.FromPort, requirement.ToPort)))
                {
                    bool admits = (rule.CidrIpv4 ?? rule.CidrIpv6) is string cidr
                        ? Cidr.TryParse(cidr, out IPNetwork network) && network.Contains(from)
                        : rule.ReferencedGroupId is string referenced && byGroup && source.Instance.GroupIds.Contains(referenced, StringComparer.Ordinal);
                    if (admits)
                    {
                        decision = new SgDecision(SecurityGroupVerdictStatus.Allowed, $"{groupId} ({Describe(rule)})");
                        break;
                    }

                    if (rule.PrefixListId is not null)
                    {
                        unknown ??= $"{groupId} {rule.PrefixListId}";
                    }
                }

                if (decision is not null)
                {
                    break;
                }
            }

            decision ??= unknown is not null
                ? new SgDecision(SecurityGroupVerdictStatus.Unknown, unknown)
                : new SgDecision(SecurityGroupVerdictStatus.Blocked,
                    destination.Instance.GroupIds.Count == 0 ? "(no security group)" : string.Join(", ", destination.Instance.GroupIds));
            _sgMemo[key] = decision;
            return decision;
        }

        /// <summary>
        /// Null when the ACLs pass the flow both ways. Traffic inside one subnet never crosses an ACL. UDP is judged
        /// one way (the reverse pair is its own flow: VXLAN needs 8472 in both directions); TCP also needs the reply,
        /// to the client's ephemeral port, out of the destination's subnet and into the source's.
        /// </summary>
        private string? NetworkAcls(AnalysisNode source, AnalysisNode destination, string from, string to, PortRequirement requirement)
        {
            if (source.Instance.SubnetId is not string sourceSubnet || destination.Instance.SubnetId is not string destinationSubnet
                || sourceSubnet == destinationSubnet)
            {
                return null;
            }

            _aclBySubnet.TryGetValue(sourceSubnet, out Ec2NetworkAcl? sourceAcl);
            _aclBySubnet.TryGetValue(destinationSubnet, out Ec2NetworkAcl? destinationAcl);
            TrafficProtocol protocol = requirement.Protocol;
            return Check(sourceAcl, egress: true, protocol, requirement.FromPort, requirement.ToPort, to)
                ?? Check(destinationAcl, egress: false, protocol, requirement.FromPort, requirement.ToPort, from)
                ?? (protocol == TrafficProtocol.Tcp
                    ? Check(destinationAcl, egress: true, protocol, NetworkAclEvaluator.EphemeralFrom, NetworkAclEvaluator.EphemeralTo, from)
                      ?? Check(sourceAcl, egress: false, protocol, NetworkAclEvaluator.EphemeralFrom, NetworkAclEvaluator.EphemeralTo, to)
                    : null);
        }

        private string? Check(Ec2NetworkAcl? acl, bool egress, TrafficProtocol protocol, int from, int to, string peer)
        {
            if (acl is null)
            {
                return null;
            }

            var key = (acl.NetworkAclId, egress, protocol, from, to, peer);
            if (!_aclMemo.TryGetValue(key, out string? blocked))
            {
                blocked = NetworkAclEvaluator.Blocks(acl, egress, protocol, from, to, peer);
                _aclMemo[key] = blocked;
            }

            return blocked;
        }

        internal static string Name(PortRequirement requirement) => PortText(requirement.Protocol, requirement.FromPort, requirement.ToPort);

        internal static string PortText(TrafficProtocol protocol, int from, int to) => protocol == TrafficProtocol.All
            ? "all traffic"
            : string.Create(CultureInfo.InvariantCulture, $"{Ec2Protocol.Name(protocol)}/{(from == to ? from.ToString(CultureInfo.InvariantCulture) : $"{from}-{to}")}");

        internal static string Describe(SecurityGroupRule rule) =>
            $"{(rule.AllProtocols ? "all traffic" : PortText(Ec2Protocol.Parse(rule.IpProtocol) ?? TrafficProtocol.All, rule.FromPort ?? 0, rule.ToPort ?? 65535))} from {rule.Source}";

        private sealed record SgDecision(SecurityGroupVerdictStatus Status, string By);
    }
}
