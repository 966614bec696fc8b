using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Aws
{
    /// <summary>
    /// The planning half of Revoke-K3sNodeTraffic, on plain data: which current rules each request means, per group, and
    /// after a lost race which of them are still there. It calls nothing.
    /// </summary>
    internal sealed class RevokePlanner
    {
        private readonly string[] _sources;

        /// <param name="sourceCidrs">-SourceCidr, already checked to be CIDR blocks.</param>
        /// <param name="sourceGroupIds">-SourceGroupId.</param>
        public RevokePlanner(IEnumerable<string>? sourceCidrs, IEnumerable<string>? sourceGroupIds)
        {
            _sources = (sourceGroupIds ?? Array.Empty<string>()).Concat((sourceCidrs ?? Array.Empty<string>()).Select(c => Cidr.Parse(c).ToString())).ToArray();
        }

        /// <summary>The groups to read, each once.</summary>
        public static IReadOnlyList<string> GroupIds(IEnumerable<RevokeRequest> requests) =>
            requests.Select(r => r.GroupId).Distinct(StringComparer.Ordinal).ToArray();

        /// <summary>Per group, in the order requests first named it: what to remove and which requests match nothing.</summary>
        public IReadOnlyList<GroupRevoke> Plan(
            IEnumerable<RevokeRequest> requests, IEnumerable<(string GroupId, SecurityGroupRule Rule)> rules, IEnumerable<string> existingGroupIds)
        {
            HashSet<string> existing = existingGroupIds.ToHashSet(StringComparer.Ordinal);
            var plans = new List<GroupRevoke>();
            foreach (IGrouping<string, RevokeRequest> group in requests.GroupBy(r => r.GroupId, StringComparer.Ordinal))
            {
                if (!existing.Contains(group.Key))
                {
                    plans.Add(new GroupRevoke(group.Key, false, Array.Empty<SecurityGroupChange>(), Array.Empty<SecurityGroupRule>()));
                    continue;
                }

                List<SecurityGroupRule> current = rules.Where(r => r.GroupId == group.Key).Select(r => r.Rule).ToList();
                var notPresent = new List<SecurityGroupChange>();
                var chosen = new List<SecurityGroupRule>();
                bool withoutPort = false;
                foreach (RevokeRequest request in group)
                {
                    List<SecurityGroupRule> matching = current.Where(r => Matches(r, request)).ToList();
                    if (matching.Count == 0)
                    {
                        notPresent.Add(NotPresent(group.Key, request));
                    }

                    withoutPort |= matching.Count > 0 && request.NamesNoPort;
                    chosen.AddRange(matching.Where(m => !chosen.Contains(m)));
                }

                plans.Add(new GroupRevoke(group.Key, true, notPresent, chosen, withoutPort));
            }

            return plans;
        }

        /// <summary>
        /// Which rules a request means: with sources, exactly those sources; otherwise only rules K3sNet added (its
        /// description), so a rule someone else wrote is never removed by accident.
        /// </summary>
        public bool Matches(SecurityGroupRule rule, RevokeRequest request)
        {
            bool source = _sources.Length > 0 ? _sources.Contains(rule.Source, StringComparer.OrdinalIgnoreCase) : IngressPlanner.IsK3sNetRule(rule);
            if (!source)
            {
                return false;
            }

            if (request.Protocol is not TrafficProtocol protocol)
            {
                return true;
            }

            return rule.IpProtocol == Ec2Protocol.Name(protocol)
                && (request.FromPort is null || (rule.FromPort == request.FromPort && rule.ToPort == request.ToPort));
        }

        /// <summary>
        /// After a Revoke that failed with NotFound (someone removed a rule meanwhile, and the call removed nothing): the
        /// planned rules still in <paramref name="current"/>, to revoke again, and those already gone.
        /// </summary>
        public static (IReadOnlyList<SecurityGroupRule> Remaining, IReadOnlyList<SecurityGroupRule> Gone) StillPresent(
            IReadOnlyList<SecurityGroupRule> planned, IEnumerable<SecurityGroupRule> current)
        {
            HashSet<string> left = current.Select(r => r.RuleId!).ToHashSet(StringComparer.Ordinal);
            List<SecurityGroupRule> remaining = planned.Where(r => left.Contains(r.RuleId!)).ToList();
            return (remaining, planned.Except(remaining).ToList());
        }

        private SecurityGroupChange NotPresent(string groupId, RevokeRequest request) => new()
        {
            GroupId = groupId,
            Protocol = request.Protocol ?? TrafficProtocol.All,
            FromPort = request.FromPort ?? 0,
            ToPort = request.ToPort ?? 65535,
            Source = _sources.Length > 0 ? string.Join(", ", _sources) : "(rules K3sNet added)",
            Description = string.Empty,
            Action = SecurityGroupChangeAction.NotPresent,
            RuleId = null,
        };
    }
}
