using System;
using System.Collections.Generic;
using System.Globalization;

namespace K3sNet.Aws
{
    /// <summary>
    /// Collects the node pairs of one <see cref="SecurityGroupVerdictSummary"/>: the shared properties come from the first
    /// verdict of the summary, the pairs and node lists from every pair added, and the reason is written once for all.
    /// </summary>
    internal sealed class VerdictSummaryBuilder
    {
        private readonly SecurityGroupVerdict _first;
        private readonly string _port;
        // The pairs as references to strings the nodes already hold: no object per pair until someone reads Pairs.
        private readonly List<(string Source, string Destination, string From, string To)> _pairs = new();
        private readonly List<string> _sources = new();
        private readonly List<string> _destinations = new();
        // By reference: a node is one object for the whole analysis, and hashing a reference is cheaper than its name.
        private readonly HashSet<AnalysisNode> _seenSources = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<AnalysisNode> _seenDestinations = new(ReferenceEqualityComparer.Instance);

        public VerdictSummaryBuilder(SecurityGroupVerdict first, string port)
        {
            _first = first;
            _port = port;
        }

        public void Add(AnalysisNode source, AnalysisNode destination, string sourceAddress, string destinationAddress)
        {
            _pairs.Add((source.Name, destination.Name, sourceAddress, destinationAddress));
            if (_seenSources.Add(source))
            {
                _sources.Add(source.Name);
            }

            if (_seenDestinations.Add(destination))
            {
                _destinations.Add(destination.Name);
            }
        }

        public SecurityGroupVerdictSummary Build()
        {
            string pairs = string.Create(CultureInfo.InvariantCulture,
                $"{_pairs.Count:N0} pair(s), from {Count(_sources.Count, "node")} to {Count(_destinations.Count, "node")}");
            string reason = _first.Status switch
            {
                SecurityGroupVerdictStatus.Allowed => $"The security groups and network ACLs let {_port} through for {pairs}.",
                SecurityGroupVerdictStatus.Unknown =>
                    $"Only a prefix-list rule might admit {_port} for {pairs}; K3sNet does not read prefix lists. Grant {_first.SuggestedSource} to be sure.",
                _ when _first.BlockedBy?.StartsWith("acl-", StringComparison.Ordinal) == true =>
                    $"Network ACL {_first.BlockedBy} stops {_port} for {pairs}. Security groups cannot override a network ACL: change the ACL entry.",
                _ => $"No rule in {_first.BlockedBy} admits {_port} for {pairs}. Add an inbound rule to {_first.GroupId} from {_first.SuggestedSource}.",
            };
            SecurityGroupVerdictSummary summary = Summary(_first, _pairs.Count, _sources.ToArray(), _destinations.ToArray(), reason);
            List<(string Source, string Destination, string From, string To)> kept = _pairs;
            summary.PairSource = () => kept.ConvertAll(p => new SecurityGroupNodePair { Source = p.Source, Destination = p.Destination, SourceAddress = p.From, DestinationAddress = p.To }).ToArray();
            return summary;
        }

        /// <summary>An exposure is one rule, not a set of pairs: its summary names the world and the group, with no pairs.</summary>
        public static SecurityGroupVerdictSummary FromExposure(SecurityGroupVerdict exposure) =>
            Summary(exposure, 0, new[] { exposure.Source }, new[] { exposure.Destination }, exposure.Reason);

        private static SecurityGroupVerdictSummary Summary(
            SecurityGroupVerdict first, int pairCount, string[] sources, string[] destinations, string reason) => new()
        {
            GroupId = first.GroupId,
            VpcId = first.VpcId,
            Protocol = first.Protocol,
            FromPort = first.FromPort,
            ToPort = first.ToPort,
            Purpose = first.Purpose,
            ClusterOnly = first.ClusterOnly,
            Allowed = first.Allowed,
            Status = first.Status,
            BlockedBy = first.BlockedBy,
            SuggestedSource = first.SuggestedSource,
            PairCount = pairCount,
            Sources = sources,
            Destinations = destinations,
            Reason = reason,
        };

        private static string Count(int count, string noun) =>
            string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? string.Empty : "s")}");
    }
}
