using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace K3sNet.Aws
{
    /// <summary>
    /// Chooses, among the security groups on a node's network interface, the group a rule should change (for the
    /// destination) and the group it should admit (for the source), so that the rule is the narrowest that fixes the flow.
    /// Grant-K3sNodeTraffic and Test-K3sSecurityGroup both ask this one class, so a verdict's GroupId and SuggestedSource
    /// are what Grant would choose.
    /// <para>
    /// "The cluster" is what K3sNet was given: the nodes' instances. A group is the cluster's own when nothing else in the
    /// account carries it: every network interface EC2 reports in it (DescribeNetworkInterfaces with a group-id filter,
    /// which also finds databases, load balancers and functions, not only instances) belongs to one of those instances.
    /// </para>
    /// <list type="bullet">
    /// <item>The VPC's <c>default</c> group is never chosen: widening it opens every instance that was launched without a
    /// group of its own, and admitting it admits them all. Only -GroupId may name it.</item>
    /// <item>Destination: the cluster's own groups first; among them the one that carries the most of the cluster's
    /// nodes (one rule then serves the most pairs without reaching outside the cluster). Without one, the group that
    /// carries the fewest instances outside the cluster. A tie is the user's choice.</item>
    /// <item>Source: the group being changed, when the source carries it and it is the cluster's own (a self-referencing
    /// rule); else the cluster's own group with the most nodes; else the group being changed all the same when the
    /// source carries it (admitting it reaches no instance beyond those the change reaches already); never another
    /// group that also carries other instances (a "monitoring" group would admit every monitoring host): the address
    /// alone then.</item>
    /// </list>
    /// </summary>
    internal sealed class SecurityGroupChooser
    {
        /// <summary>The name EC2 gives every VPC's default group; no other group may have it.</summary>
        public const string DefaultGroupName = "default";

        private readonly IReadOnlyDictionary<string, Ec2SecurityGroup> _groups;
        private readonly HashSet<string> _nodes;
        private readonly Dictionary<string, HashSet<string>> _holders = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Instance, string? Address, string? Destination, bool Source), GroupChoice> _memo = new();

        /// <param name="groups">The groups as read (for their names: which one is the VPC's default group).</param>
        /// <param name="nodes">The cluster's instances: the nodes K3sNet was given.</param>
        /// <param name="interfaces">
        /// Every network interface EC2 reported in the groups <see cref="GroupsToCount"/> named, or null when it was not
        /// asked: then only the nodes are known to carry a group.
        /// </param>
        public SecurityGroupChooser(
            IReadOnlyDictionary<string, Ec2SecurityGroup> groups, IEnumerable<Ec2Instance> nodes, IEnumerable<Ec2NetworkInterface>? interfaces)
        {
            _groups = groups;
            List<Ec2Instance> known = nodes.ToList();
            _nodes = known.Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
            foreach (Ec2Instance node in known)
            {
                foreach (string group in node.GroupIds)
                {
                    Holders(group).Add(node.InstanceId);
                }
            }

            foreach (Ec2NetworkInterface nic in interfaces ?? Enumerable.Empty<Ec2NetworkInterface>())
            {
                foreach (string group in nic.GroupIds)
                {
                    Holders(group).Add(nic.Holder);
                }
            }

            CountedHolders = interfaces is not null;
        }

        /// <summary>Whether EC2 was asked who else carries the groups (else only the nodes are known to).</summary>
        public bool CountedHolders { get; }

        /// <summary>The same choices, now knowing every interface in the counted groups.</summary>
        public SecurityGroupChooser WithInterfaces(IEnumerable<Ec2Instance> nodes, IEnumerable<Ec2NetworkInterface> interfaces) =>
            new(_groups, nodes, interfaces);

        public bool IsDefault(string groupId) =>
            _groups.TryGetValue(groupId, out Ec2SecurityGroup? group) && group.GroupName == DefaultGroupName;

        /// <summary>"sg-0abc (k3s-nodes)", or the id alone when the group's name is unknown or the id itself.</summary>
        public string Named(string groupId) =>
            _groups.TryGetValue(groupId, out Ec2SecurityGroup? group) && group.GroupName.Length > 0 && group.GroupName != groupId
                ? $"{groupId} ({group.GroupName})"
                : groupId;

        /// <summary>
        /// The groups whose other holders decide a choice for these uses: a destination's when it has two or more besides
        /// the default group, a source's unless it carries the group its rule goes into (known already: named, or the
        /// destination's only candidate). Empty when no choice depends on them, and then EC2 need not be asked.
        /// </summary>
        public IReadOnlyList<string> GroupsToCount(IEnumerable<(Ec2Instance Instance, string? Address, bool Source, string? DestinationGroupId)> uses)
        {
            var counted = new List<string>();
            foreach ((Ec2Instance instance, string? address, bool source, string? destinationGroupId) in uses)
            {
                List<string> candidates = instance.GroupsFor(address).Where(g => !IsDefault(g)).ToList();
                // A source that carries the group being changed and no other is admitted by it whoever else carries it.
                bool decided = source
                    ? destinationGroupId is not null && candidates.Count == 1 && candidates[0] == destinationGroupId
                    : candidates.Count < 2;
                if (!decided)
                {
                    counted.AddRange(candidates);
                }
            }

            return counted.Distinct(StringComparer.Ordinal).ToList();
        }

        /// <summary>The group to change so that traffic to <paramref name="address"/> on <paramref name="instance"/> is admitted.</summary>
        public GroupChoice ForDestination(Ec2Instance instance, string? address)
        {
            var key = (instance.InstanceId, address, (string?)null, false);
            if (!_memo.TryGetValue(key, out GroupChoice? choice))
            {
                choice = ChooseDestination(instance, address);
                _memo[key] = choice;
            }

            return choice;
        }

        /// <summary>
        /// The group to admit for traffic from <paramref name="address"/> on <paramref name="instance"/>, into
        /// <paramref name="destinationGroupId"/> (null when unknown). A kind other than Chosen or Ambiguous means: admit the
        /// address alone.
        /// </summary>
        public GroupChoice ForSource(Ec2Instance instance, string? address, string? destinationGroupId)
        {
            var key = (instance.InstanceId, address, destinationGroupId, true);
            if (!_memo.TryGetValue(key, out GroupChoice? choice))
            {
                choice = ChooseSource(instance, address, destinationGroupId);
                _memo[key] = choice;
            }

            return choice;
        }

        private GroupChoice ChooseDestination(Ec2Instance instance, string? address)
        {
            IReadOnlyList<string> groups = instance.GroupsFor(address);
            string where = Where(instance, address);
            if (groups.Count == 0)
            {
                return new GroupChoice(GroupChoiceKind.NoGroup, null, groups, $"{where} carries no security group.");
            }

            string[] candidates = groups.Where(g => !IsDefault(g)).ToArray();
            string defaults = DefaultsSkipped(groups);
            if (candidates.Length == 0)
            {
                return new GroupChoice(GroupChoiceKind.DefaultOnly, null, groups,
                    $"{where} carries only {Named(groups[0])}, the VPC's default group, which K3sNet never widens on its own: it would open every instance launched without a group of its own.");
            }

            if (candidates.Length == 1)
            {
                return new GroupChoice(GroupChoiceKind.Chosen, candidates[0], groups,
                    $"{Named(candidates[0])} is the only group of {where}{(defaults.Length > 0 ? " besides the VPC's default group" : string.Empty)}.{defaults}");
            }

            Reach[] reaches = candidates.Select(ReachOf).ToArray();
            Reach[] own = reaches.Where(r => r.Outside == 0).ToArray();
            if (own.Length > 0)
            {
                int most = own.Max(r => r.Nodes);
                Reach[] best = own.Where(r => r.Nodes == most).ToArray();
                if (best.Length > 1)
                {
                    return Ambiguous(best, $"{where} carries {Join(best.Select(b => Named(b.GroupId)))}: each carries only the cluster's nodes ({most} of them), so either rule would be as narrow.");
                }

                return new GroupChoice(GroupChoiceKind.Chosen, best[0].GroupId, groups,
                    $"{Named(best[0].GroupId)} of {where} carries only the cluster's nodes ({best[0].Nodes} of {_nodes.Count}){Others(reaches, best[0])}.{defaults}");
            }

            int fewest = reaches.Min(r => r.Outside);
            Reach[] least = reaches.Where(r => r.Outside == fewest).ToArray();
            if (least.Length > 1)
            {
                return Ambiguous(least, $"{where} carries {Join(least.Select(b => Named(b.GroupId)))}: each also carries {Instances(fewest)} outside the cluster, so either rule would be as wide.");
            }

            return new GroupChoice(GroupChoiceKind.Chosen, least[0].GroupId, groups,
                $"no group of {where} carries only the cluster's nodes; {Named(least[0].GroupId)} carries the fewest others ({fewest}){Others(reaches, least[0])}.{defaults}");
        }

        private GroupChoice ChooseSource(Ec2Instance instance, string? address, string? destinationGroupId)
        {
            IReadOnlyList<string> groups = instance.GroupsFor(address);
            string where = Where(instance, address);
            bool carriesDestination = destinationGroupId is not null && groups.Contains(destinationGroupId, StringComparer.Ordinal);
            GroupChoice SelfReference() => new(GroupChoiceKind.Chosen, destinationGroupId, groups,
                $"{where} carries {Named(destinationGroupId!)}, the group being changed: a self-referencing rule reaches no instance beyond that group's members.");
            if (carriesDestination && ReachOf(destinationGroupId!).Outside == 0)
            {
                return SelfReference();
            }

            string[] candidates = groups.Where(g => !IsDefault(g)).ToArray();
            if (candidates.Length == 0)
            {
                return new GroupChoice(groups.Count == 0 ? GroupChoiceKind.NoGroup : GroupChoiceKind.NoClusterGroup, null, groups,
                    groups.Count == 0
                        ? $"{where} carries no security group, so its address alone is admitted."
                        : $"{where} carries only {Named(groups[0])}, the VPC's default group, which would admit every instance launched without a group of its own: its address alone is admitted.");
            }

            Reach[] reaches = candidates.Select(ReachOf).ToArray();
            Reach[] own = reaches.Where(r => r.Outside == 0).ToArray();
            if (own.Length == 0 && carriesDestination)
            {
                // The group being changed reaches instances outside the cluster already; admitting it adds none.
                return SelfReference();
            }

            if (own.Length == 0)
            {
                return new GroupChoice(GroupChoiceKind.NoClusterGroup, null, groups,
                    $"every group of {where} also carries instances outside the cluster ({Join(reaches.Select(r => $"{Named(r.GroupId)}: {r.Outside}"))}), and admitting one would admit them too: its address alone is admitted.");
            }

            int most = own.Max(r => r.Nodes);
            Reach[] best = own.Where(r => r.Nodes == most).ToArray();
            if (best.Length > 1)
            {
                return Ambiguous(best, $"{where} carries {Join(best.Select(b => Named(b.GroupId)))}: each carries only the cluster's nodes ({most} of them), so either would be as narrow a source.");
            }

            return new GroupChoice(GroupChoiceKind.Chosen, best[0].GroupId, groups,
                $"{Named(best[0].GroupId)} of {where} carries only the cluster's nodes ({best[0].Nodes} of {_nodes.Count}){Others(reaches, best[0])}.{DefaultsSkipped(groups, source: true)}");
        }

        private static GroupChoice Ambiguous(IEnumerable<Reach> tied, string why) =>
            new(GroupChoiceKind.Ambiguous, null, tied.Select(t => t.GroupId).ToArray(), why);

        private HashSet<string> Holders(string groupId)
        {
            if (!_holders.TryGetValue(groupId, out HashSet<string>? holders))
            {
                holders = new HashSet<string>(StringComparer.Ordinal);
                _holders[groupId] = holders;
            }

            return holders;
        }

        private Reach ReachOf(string groupId)
        {
            HashSet<string> holders = Holders(groupId);
            int nodes = holders.Count(_nodes.Contains);
            return new Reach(groupId, nodes, holders.Count - nodes);
        }

        /// <summary>Why the groups passed over were: more instances outside the cluster, or fewer of its nodes.</summary>
        private string Others(IEnumerable<Reach> reaches, Reach chosen)
        {
            string[] others = reaches.Where(r => r.GroupId != chosen.GroupId)
                .Select(r => r.Outside > 0
                    ? $"{Named(r.GroupId)} also carries {Instances(r.Outside)} outside the cluster"
                    : $"{Named(r.GroupId)} carries fewer of them ({r.Nodes})")
                .ToArray();
            return others.Length == 0 ? string.Empty : "; " + string.Join("; ", others);
        }

        private string DefaultsSkipped(IEnumerable<string> groups, bool source = false)
        {
            string[] defaults = groups.Where(IsDefault).ToArray();
            return defaults.Length == 0
                ? string.Empty
                : source
                    ? $" {Join(defaults.Select(Named))} is the VPC's default group, which would admit every instance launched without a group of its own."
                    : $" {Join(defaults.Select(Named))} is the VPC's default group, which K3sNet never widens unless -GroupId names it.";
        }

        private static string Where(Ec2Instance instance, string? address) =>
            address is null ? instance.InstanceId : $"{instance.InstanceId} ({address})";

        private static string Instances(int count) =>
            string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "instance" : "instances")}");

        private static string Join(IEnumerable<string> items) => string.Join(", ", items);

        /// <summary>How many of the cluster's nodes carry a group, and how many other holders do.</summary>
        private sealed record Reach(string GroupId, int Nodes, int Outside);
    }
}
