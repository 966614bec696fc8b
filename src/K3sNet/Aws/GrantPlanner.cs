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

        /// <summary>Where each request goes (its group, else its destination instance's first group) and where it comes from.</summary>
        public GrantPlacement Place(IEnumerable<TrafficRequest> requests, IEnumerable<Ec2Instance> instances)
        {
            var byAddress = new InstanceAddresses(instances);
            List<TrafficRequest> all = requests.ToList();
            // Where the addresses only one instance has live: the cluster's VPCs, which settle an address several share.
            HashSet<string> clusterVpcs = byAddress.VpcsOfUnique(all.SelectMany(r => new[] { r.DestinationAddress, r.SourceAddress }));

            var placed = new List<PlacedRequest>();
            var notes = new List<GrantNote>();
            foreach (TrafficRequest request in all)
            {
                Ec2Instance? destination = request.DestinationAddress is string d ? byAddress.Find(d, clusterVpcs) : null;
                string? groupId = request.GroupId ?? destination?.GroupIds.FirstOrDefault();
                if (groupId is null)
                {
                    IReadOnlyList<Ec2Instance> sharing = request.DestinationAddress is string a ? byAddress.All(a) : Array.Empty<Ec2Instance>();
                    notes.Add(sharing.Count > 1
                        ? new GrantNote.DestinationAmbiguous(request, sharing.Select(i => i.InstanceId).ToArray())
                        : new GrantNote.DestinationNotFound(request));
                    continue;
                }

                placed.Add(new PlacedRequest(request, groupId, Sources(request, groupId, destination, byAddress, clusterVpcs, notes)));
            }

            return new GrantPlacement(placed, notes);
        }

        /// <summary>
        /// The rules each group needs, in request order and without repeats; requests whose group does not exist, and
        /// world-open sources the rules refuse, are left out with a note.
        /// </summary>
        public GrantPlan Plan(GrantPlacement placement, IEnumerable<Ec2SecurityGroup> groups)
        {
            var groupById = groups.ToDictionary(g => g.GroupId, StringComparer.Ordinal);
            var wanted = new Dictionary<string, List<SecurityGroupRule>>(StringComparer.Ordinal);
            var order = new List<string>();
            var notes = new List<GrantNote>();
            foreach ((TrafficRequest request, string groupId, IReadOnlyList<string> sources) in placement.Placed)
            {
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
                        order.Add(groupId);
                    }

                    if (list.All(r => IngressPlanner.Key(r) != IngressPlanner.Key(rule)))
                    {
                        list.Add(rule);
                    }
                }
            }

            return new GrantPlan(order.Select(id => new GroupGrant(groupById[id], wanted[id])).ToList(), notes);
        }

        /// <summary>
        /// The sources a request's rule admits: -SourceCidr/-SourceGroupId; else what Test-K3sSecurityGroup suggested;
        /// else the source node's group when its address is a private one in the destination's VPC (a group reference
        /// matches only those); else the source address alone (/32 or /128); else, with no source at all, the group itself.
        /// </summary>
        private IReadOnlyList<string> Sources(
            TrafficRequest request, string groupId, Ec2Instance? destination, InstanceAddresses byAddress, IReadOnlySet<string> clusterVpcs, List<GrantNote> notes)
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
                if (source is not null && sameVpc && Cidr.IsPrivate(address) && source.GroupIds.Count > 0)
                {
                    notes.Add(new GrantNote.SourceGroupChosen(address, source.InstanceId, source.GroupIds[0]));
                    return new[] { source.GroupIds[0] };
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
