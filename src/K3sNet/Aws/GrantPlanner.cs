using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace K3sNet.Aws
{
    /// <summary>
    /// The planning half of Grant-K3sNodeTraffic, on plain data: which addresses to look up, which group each request
    /// changes and from which sources, which world-open rules to refuse, and the rules each group needs without repeats.
    /// It calls nothing; the cmdlet reads EC2 between the steps and reports the notes each step returns.
    /// </summary>
    internal sealed class GrantPlanner
    {
        private readonly string[] _sourceCidrs;
        private readonly string[] _sourceGroupIds;
        private readonly bool _force;

        /// <param name="sourceCidrs">-SourceCidr, already checked to be CIDR blocks.</param>
        /// <param name="sourceGroupIds">-SourceGroupId.</param>
        /// <param name="force">-Force: a cluster-only port may face the world, but only from a CIDR in <paramref name="sourceCidrs"/>.</param>
        public GrantPlanner(IEnumerable<string>? sourceCidrs, IEnumerable<string>? sourceGroupIds, bool force)
        {
            _sourceCidrs = sourceCidrs?.Select(c => Cidr.Parse(c).ToString()).ToArray() ?? Array.Empty<string>();
            _sourceGroupIds = sourceGroupIds?.ToArray() ?? Array.Empty<string>();
            _force = force;
        }

        private bool ExplicitSource => _sourceCidrs.Length > 0 || _sourceGroupIds.Length > 0;

        /// <summary>
        /// The IPv4 addresses whose instances the plan needs, each once: destinations without a group, and sources whose
        /// group might be admitted (no -SourceCidr/-SourceGroupId and no suggested source). One DescribeInstances for all.
        /// </summary>
        public IReadOnlyList<string> AddressesToPlace(IEnumerable<TrafficRequest> requests) => requests
            .SelectMany(r => new[] { r.GroupId is null ? r.DestinationAddress : null, !ExplicitSource && r.SuggestedSource is null ? r.SourceAddress : null })
            .OfType<string>()
            .Where(a => !a.Contains(':', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        /// <summary>
        /// The groups to read before choosing: those the requests name and every group of the instances found (their
        /// names tell the VPC's default group apart). One DescribeSecurityGroups for all.
        /// </summary>
        public IReadOnlyList<string> GroupsToRead(IEnumerable<TrafficRequest> requests, IEnumerable<Ec2Instance> instances) => requests
            .Select(r => r.GroupId)
            .OfType<string>()
            .Concat(instances.SelectMany(i => i.GroupIds.Concat(i.NetworkInterfaces?.SelectMany(n => n.GroupIds) ?? Enumerable.Empty<string>())))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        /// <summary>
        /// The chooser for these requests: the cluster is the instances their addresses name (the nodes K3sNet was given),
        /// and <see cref="SecurityGroupChooser.GroupsToCount"/> names the groups whose other holders EC2 must report.
        /// </summary>
        public (SecurityGroupChooser Chooser, IReadOnlyList<string> GroupsToCount, IReadOnlyList<Ec2Instance> Nodes) Chooser(
            IEnumerable<TrafficRequest> requests, IEnumerable<Ec2Instance> instances, IEnumerable<Ec2SecurityGroup> groups)
        {
            List<TrafficRequest> all = requests.ToList();
            var byAddress = new InstanceAddresses(instances);
            HashSet<string> clusterVpcs = byAddress.VpcsOfUnique(all.SelectMany(r => new[] { r.DestinationAddress, r.SourceAddress }));
            List<Ec2Instance> nodes = all
                .SelectMany(r => new[] { r.DestinationAddress, r.SourceAddress })
                .OfType<string>()
                .Select(a => byAddress.Find(a, clusterVpcs))
                .OfType<Ec2Instance>()
                .DistinctBy(i => i.InstanceId)
                .ToList();
            var chooser = new SecurityGroupChooser(groups.DistinctBy(g => g.GroupId).ToDictionary(g => g.GroupId, StringComparer.Ordinal), nodes, null);

            var uses = new List<(Ec2Instance, string?, bool, string?)>();
            foreach (TrafficRequest request in all)
            {
                Ec2Instance? destination = request.DestinationAddress is string d ? byAddress.Find(d, clusterVpcs) : null;
                string? groupId = request.GroupId;
                if (groupId is null && destination is not null)
                {
                    uses.Add((destination, request.DestinationAddress, false, null));
                    GroupChoice only = chooser.ForDestination(destination, request.DestinationAddress);
                    groupId = only.Kind == GroupChoiceKind.Chosen && destination.GroupsFor(request.DestinationAddress).Count(g => !chooser.IsDefault(g)) == 1 ? only.GroupId : null;
                }

                if (ChoosesSourceGroup(request) && request.SourceAddress is string s && byAddress.Find(s, clusterVpcs) is Ec2Instance source)
                {
                    uses.Add((source, s, true, groupId));
                }
            }

            return (chooser, chooser.GroupsToCount(uses), nodes);
        }

        /// <summary>Whether K3sNet picks the source's group itself (no -SourceCidr/-SourceGroupId, no suggested source).</summary>
        private bool ChoosesSourceGroup(TrafficRequest request) =>
            !ExplicitSource && request.SuggestedSource is null && Cidr.IsPrivate(request.SourceAddress);

        /// <summary>
        /// Where each request goes (its group, else the group <paramref name="chooser"/> picks on its destination's
        /// interface) and where it comes from. A choice that is the user's to make drops the requests it concerns, with one
        /// note per instance; the other requests go on.
        /// </summary>
        public GrantPlacement Place(IEnumerable<TrafficRequest> requests, IEnumerable<Ec2Instance> instances, SecurityGroupChooser? chooser = null)
        {
            List<TrafficRequest> all = requests.ToList();
            List<Ec2Instance> known = instances.ToList();
            chooser ??= Chooser(all, known, Array.Empty<Ec2SecurityGroup>()).Chooser;
            var byAddress = new InstanceAddresses(known);
            // Where the addresses only one instance has live: the cluster's VPCs, which settle an address several share.
            HashSet<string> clusterVpcs = byAddress.VpcsOfUnique(all.SelectMany(r => new[] { r.DestinationAddress, r.SourceAddress }));

            var placed = new List<PlacedRequest>();
            var notes = new List<GrantNote>();
            var reported = new HashSet<(string, string?, bool)>();
            foreach (TrafficRequest request in all)
            {
                Ec2Instance? destination = request.DestinationAddress is string d ? byAddress.Find(d, clusterVpcs) : null;
                string? groupId = request.GroupId;
                var why = new List<string>();
                if (groupId is null && destination is not null)
                {
                    GroupChoice choice = chooser.ForDestination(destination, request.DestinationAddress);
                    bool first = reported.Add((destination.InstanceId, request.DestinationAddress, false));
                    if (choice.Kind != GroupChoiceKind.Chosen)
                    {
                        if (first)
                        {
                            notes.Add(new GrantNote.GroupNotChosen(request, destination.InstanceId, choice, Source: false));
                        }

                        continue;
                    }

                    groupId = choice.GroupId!;
                    if (choice.Candidates.Count > 1)
                    {
                        why.Add($"Group to change: {choice.Why}");
                        if (first)
                        {
                            notes.Add(new GrantNote.GroupChosen(destination.InstanceId, choice));
                        }
                    }
                }

                if (groupId is null)
                {
                    IReadOnlyList<Ec2Instance> sharing = request.DestinationAddress is string a ? byAddress.All(a) : Array.Empty<Ec2Instance>();
                    notes.Add(sharing.Count > 1
                        ? new GrantNote.DestinationAmbiguous(request, sharing.Select(i => i.InstanceId).ToArray())
                        : new GrantNote.DestinationNotFound(request));
                    continue;
                }

                if (Sources(request, groupId, destination, byAddress, clusterVpcs, chooser, notes, why, reported) is IReadOnlyList<string> sources)
                {
                    placed.Add(new PlacedRequest(request, groupId, sources) { Why = why });
                }
            }

            return new GrantPlacement(placed, notes);
        }

        /// <summary>
        /// The rules each group needs, in request order and without repeats; requests whose group does not exist, and
        /// world-open sources the rules refuse, are left out with a note. More than <see cref="MaxSourcesPerRule"/>
        /// automatic sources of one port into one group are set aside as a <see cref="SourceConsolidation"/>.
        /// </summary>
        public GrantPlan Plan(GrantPlacement placement, IEnumerable<Ec2SecurityGroup> groups)
        {
            var groupById = groups.DistinctBy(g => g.GroupId).ToDictionary(g => g.GroupId, StringComparer.Ordinal);
            var wanted = new Dictionary<string, List<SecurityGroupRule>>(StringComparer.Ordinal);
            var whys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            // The private addresses each automatic, missing rule stands for: what a consolidation must cover.
            var standsFor = new Dictionary<(string GroupId, string Key), List<string>>();
            var order = new List<string>();
            var notes = new List<GrantNote>();
            foreach (PlacedRequest placed in placement.Placed)
            {
                (TrafficRequest request, string groupId, IReadOnlyList<string> sources) = placed;
                if (!groupById.TryGetValue(groupId, out Ec2SecurityGroup? group))
                {
                    notes.Add(new GrantNote.SecurityGroupNotFound(groupId));
                    continue;
                }

                foreach (string source in sources)
                {
                    if (Cidr.TryParse(source, out IPNetwork cidr) && cidr.IsWorld() && !AllowWorld(request, source, notes))
                    {
                        continue;
                    }

                    SecurityGroupRule rule = SecurityGroupRule.From(request.Protocol, request.FromPort, request.ToPort, AdmittedSource(group, request, source),
                        IngressPlanner.Description(request.Protocol, request.FromPort, request.ToPort, request.Purpose));
                    if (!wanted.TryGetValue(groupId, out List<SecurityGroupRule>? list))
                    {
                        wanted[groupId] = list = new List<SecurityGroupRule>();
                        whys[groupId] = new List<string>();
                        order.Add(groupId);
                    }

                    if (list.All(r => IngressPlanner.Key(r) != IngressPlanner.Key(rule)))
                    {
                        list.Add(rule);
                    }

                    whys[groupId].AddRange(placed.Why.Where(w => !whys[groupId].Contains(w, StringComparer.Ordinal)));
                    if (!ExplicitSource && rule.CidrIpv6 is null && rule.PrefixListId is null && Cidr.IsPrivate(request.SourceAddress)
                        && !(Cidr.TryParse(request.SourceAddress, out IPNetwork s) && s.IsIPv6()))
                    {
                        var key = (groupId, IngressPlanner.Key(rule));
                        if (!standsFor.TryGetValue(key, out List<string>? addresses))
                        {
                            standsFor[key] = addresses = new List<string>();
                        }

                        addresses.Add(request.SourceAddress!);
                    }
                }
            }

            var consolidations = new List<SourceConsolidation>();
            foreach (string groupId in order)
            {
                Ec2SecurityGroup group = groupById[groupId];
                List<SecurityGroupRule> rules = wanted[groupId];
                // Only rules still missing count: a source the group admits already costs no new rule.
                var many = rules
                    .Where(r => standsFor.ContainsKey((groupId, IngressPlanner.Key(r))) && IngressPlanner.Covering(group.Ingress, r) is null)
                    .GroupBy(r => (r.IpProtocol, r.FromPort, r.ToPort))
                    .Where(port => port.Count() > MaxSourcesPerRule)
                    .ToList();
                foreach (var port in many)
                {
                    SecurityGroupRule first = port.First();
                    consolidations.Add(new SourceConsolidation(groupId, Ec2Protocol.Parse(first.IpProtocol) ?? TrafficProtocol.All, first.FromPort ?? 0, first.ToPort ?? 65535,
                        first.Description ?? string.Empty,
                        port.SelectMany(r => standsFor[(groupId, IngressPlanner.Key(r))]).Distinct(StringComparer.Ordinal).ToArray(),
                        port.Select(r => r.Source).ToArray()));
                    rules.RemoveAll(r => port.Contains(r));
                }
            }

            return new GrantPlan(order.Select(id => new GroupGrant(groupById[id], wanted[id], whys[id])).ToList(), notes) { Consolidations = consolidations };
        }

        /// <summary>
        /// How many sources of one port into one group K3sNet admits one rule each; past it, one CIDR (or the prefix list
        /// given) replaces them. EC2 allows 60 inbound rules per group, and a full k3s matrix has about seven rows: at five
        /// sources a row that is 35 rules, over half the quota; a sixth would leave too little for everything else.
        /// </summary>
        public const int MaxSourcesPerRule = 5;

        /// <summary>The source addresses the plan's consolidations must cover: their subnets are what K3sNet reads next.</summary>
        public static IReadOnlyList<string> AddressesToCover(GrantPlan plan) =>
            plan.Consolidations.SelectMany(c => c.Addresses).Distinct(StringComparer.Ordinal).ToArray();

        /// <summary>
        /// Replaces each consolidation's sources by <paramref name="prefixListId"/> when given, else by the narrowest CIDR
        /// that covers the subnets its source addresses live in (<paramref name="subnetOf"/>; an address whose subnet is
        /// unknown counts as itself), never wider than a block of the VPC (<paramref name="vpcCidrs"/>): subnets in
        /// different VPC blocks get one CIDR per block.
        /// </summary>
        public static GrantPlan Consolidate(GrantPlan plan, string? prefixListId, IReadOnlyDictionary<string, string> subnetOf, IReadOnlyList<string> vpcCidrs)
        {
            if (plan.Consolidations.Count == 0)
            {
                return plan;
            }

            IPNetwork[] vpcBlocks = vpcCidrs.Select(c => Cidr.TryParse(c, out IPNetwork b) ? b : (IPNetwork?)null).OfType<IPNetwork>().Where(b => !b.IsIPv6()).ToArray();
            var added = new Dictionary<string, List<SecurityGroupRule>>(StringComparer.Ordinal);
            var whys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var notes = new List<GrantNote>(plan.Notes);
            foreach (SourceConsolidation c in plan.Consolidations)
            {
                IReadOnlyList<string> sources;
                string why;
                string port = SecurityGroupAnalysis.PortText(c.Protocol, c.FromPort, c.ToPort);
                if (prefixListId is not null)
                {
                    sources = new[] { prefixListId };
                    why = $"{c.Replaced.Count} sources of {port} into {c.GroupId} (more than {MaxSourcesPerRule}) become one rule from the prefix list {prefixListId} (-PrefixListId), instead of {c.Replaced.Count} rules of the group's 60.";
                }
                else
                {
                    IPNetwork[] subnets = c.Addresses
                        .Select(a => subnetOf.TryGetValue(a, out string? s) && Cidr.TryParse(s, out IPNetwork block) && block.Contains(a) ? block : Cidr.Parse(a))
                        .Distinct()
                        .ToArray();
                    sources = Cover(subnets, vpcBlocks).Select(b => b.ToString()).ToArray();
                    why = $"{c.Replaced.Count} sources of {port} into {c.GroupId} (more than {MaxSourcesPerRule}) become {(sources.Count == 1 ? "one rule" : $"{sources.Count} rules")} from {string.Join(", ", sources)}, the narrowest {(sources.Count == 1 ? "CIDR" : "CIDRs")} that {(sources.Count == 1 ? "covers" : "cover")} the subnets of their private addresses ({string.Join(", ", subnets.Select(s => s.ToString()))}) and no more than the VPC; -PrefixListId names a prefix list instead.";
                }

                notes.Add(new GrantNote.SourcesConsolidated(c.GroupId, port, c.Replaced.Count, sources, why));
                if (!added.TryGetValue(c.GroupId, out List<SecurityGroupRule>? list))
                {
                    added[c.GroupId] = list = new List<SecurityGroupRule>();
                    whys[c.GroupId] = new List<string>();
                }

                whys[c.GroupId].Add(why);
                foreach (string source in sources)
                {
                    SecurityGroupRule rule = SecurityGroupRule.From(c.Protocol, c.FromPort, c.ToPort, source, c.Description);
                    if (list.All(r => IngressPlanner.Key(r) != IngressPlanner.Key(rule)))
                    {
                        list.Add(rule);
                    }
                }
            }

            List<GroupGrant> groups = plan.Groups
                .Select(g => added.TryGetValue(g.Group.GroupId, out List<SecurityGroupRule>? more)
                    ? g with
                    {
                        Rules = g.Rules.Concat(more.Where(m => g.Rules.All(r => IngressPlanner.Key(r) != IngressPlanner.Key(m)))).ToList(),
                        Why = (g.Why ?? Array.Empty<string>()).Concat(whys[g.Group.GroupId]).ToList(),
                    }
                    : g)
                .ToList();
            return new GrantPlan(groups, notes);
        }

        /// <summary>
        /// The narrowest blocks that cover <paramref name="subnets"/>: one block spanning those inside each VPC block (the
        /// span of 10.0.1.0/24 and 10.0.2.0/24 is 10.0.0.0/22), and a subnet outside every known VPC block as itself.
        /// </summary>
        internal static IReadOnlyList<IPNetwork> Cover(IEnumerable<IPNetwork> subnets, IReadOnlyList<IPNetwork> vpcBlocks)
        {
            var spans = new List<IPNetwork>();
            foreach (IGrouping<int, IPNetwork> inBlock in subnets.GroupBy(s => IndexOfBlock(vpcBlocks, s)))
            {
                if (inBlock.Key < 0)
                {
                    spans.AddRange(inBlock);
                    continue;
                }

                IPNetwork span = inBlock.Aggregate((a, b) => a.Span(b));
                // The span of blocks inside one VPC block stays inside it; the check only guards that promise.
                spans.Add(vpcBlocks[inBlock.Key].Contains(span) ? span : vpcBlocks[inBlock.Key]);
            }

            return spans.Distinct().ToList();
        }

        private static int IndexOfBlock(IReadOnlyList<IPNetwork> blocks, IPNetwork subnet)
        {
            for (int i = 0; i < blocks.Count; i++)
            {
                if (blocks[i].Contains(subnet))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// The sources a request's rule admits: -SourceCidr/-SourceGroupId; else what Test-K3sSecurityGroup suggested;
        /// else, for a private address in the destination's VPC (a group reference matches only those), the source's group
        /// <paramref name="chooser"/> picks; else the source address alone (/32 or /128); else, with no source at all, the
        /// group itself. Null when the source's group is the user's to choose (noted once per instance).
        /// </summary>
        private IReadOnlyList<string>? Sources(
            TrafficRequest request, string groupId, Ec2Instance? destination, InstanceAddresses byAddress, IReadOnlySet<string> clusterVpcs,
            SecurityGroupChooser chooser, List<GrantNote> notes, List<string> why, HashSet<(string, string?, bool)> reported)
        {
            if (ExplicitSource)
            {
                return _sourceGroupIds.Concat(_sourceCidrs).ToList();
            }

            if (request.SuggestedSource is string suggested && (suggested.StartsWith("sg-", StringComparison.Ordinal) || Cidr.TryParse(suggested, out _)))
            {
                return new[] { suggested.StartsWith("sg-", StringComparison.Ordinal) ? suggested : Cidr.Parse(suggested).ToString() };
            }

            if (request.SourceAddress is string address)
            {
                // A group reference admits only instances of the destination's VPC: look for the source there first.
                Ec2Instance? source = byAddress.Find(address, destination?.VpcId is string vpc ? new HashSet<string>(StringComparer.Ordinal) { vpc } : clusterVpcs);
                bool sameVpc = source is not null && (destination is null || destination.VpcId == source.VpcId);
                if (source is not null && sameVpc && Cidr.IsPrivate(address))
                {
                    GroupChoice choice = chooser.ForSource(source, address, groupId);
                    bool first = reported.Add((source.InstanceId, address + "|" + groupId, true));
                    switch (choice.Kind)
                    {
                        case GroupChoiceKind.Chosen:
                            why.Add($"Source {address}: {choice.Why}");
                            if (first)
                            {
                                notes.Add(new GrantNote.SourceGroupChosen(address, source.InstanceId, choice.GroupId!, choice.Why));
                            }

                            return new[] { choice.GroupId! };
                        case GroupChoiceKind.Ambiguous:
                            if (first)
                            {
                                notes.Add(new GrantNote.GroupNotChosen(request, source.InstanceId, choice, Source: true));
                            }

                            return null;
                        default:
                            why.Add($"Source {address}: {choice.Why}");
                            if (first)
                            {
                                notes.Add(new GrantNote.SourceAddressChosen(address, source.InstanceId, choice.Why));
                            }

                            break;
                    }
                }

                return new[] { Cidr.Parse(address).ToString() };
            }

            notes.Add(new GrantNote.OwnGroupChosen(request, groupId));
            return new[] { groupId };
        }

        /// <summary>
        /// The source to compare and add. A group reference K3sNet chose for a source address the group already admits by
        /// CIDR (a VPC-wide rule, say) would add a rule the flow does not need (a verdict blocked only by a network ACL,
        /// or an allowed one piped in too): the address alone stands in, so comparing finds the rule that admits it.
        /// A -SourceGroupId the user named is added as asked.
        /// </summary>
        private string AdmittedSource(Ec2SecurityGroup group, TrafficRequest request, string source)
        {
            if (ExplicitSource || !source.StartsWith("sg-", StringComparison.Ordinal)
                || !Cidr.TryParse(request.SourceAddress, out IPNetwork address))
            {
                return source;
            }

            SecurityGroupRule alone = SecurityGroupRule.From(request.Protocol, request.FromPort, request.ToPort, address.ToString(), null);
            return IngressPlanner.Covering(group.Ingress, alone) is null ? source : alone.Source;
        }

        /// <summary>
        /// Whether a rule may admit the world CIDR <paramref name="source"/>: always for a port that may face the internet
        /// (with a warning); for a cluster-only port only with -Force and that CIDR given explicitly in -SourceCidr.
        /// </summary>
        private bool AllowWorld(TrafficRequest request, string source, List<GrantNote> notes)
        {
            if (!request.ClusterOnly)
            {
                notes.Add(new GrantNote.WorldOpened(request, source));
                return true;
            }

            if (_force && _sourceCidrs.Contains(source, StringComparer.Ordinal))
            {
                notes.Add(new GrantNote.WorldForced(request, source));
                return true;
            }

            notes.Add(new GrantNote.WorldRefused(request, source));
            return false;
        }
    }
}
