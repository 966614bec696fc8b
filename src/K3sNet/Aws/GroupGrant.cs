using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Aws
{
    /// <summary>
    /// The rules one group needs, in request order without repeats, against the group as K3sNet last read it. After a
    /// lost race (InvalidPermission.Duplicate) the caller reads the group again and compares <c>this with { Group = … }</c>.
    /// <paramref name="Why"/>: why K3sNet chose this group and these sources, for -WhatIf and -Confirm.
    /// </summary>
    internal sealed record GroupGrant(Ec2SecurityGroup Group, IReadOnlyList<SecurityGroupRule> Rules, IReadOnlyList<string>? Why = null)
    {
        /// <summary>Each wanted rule: already admitted by some current rule (a broader one counts), or still to add.</summary>
        public IReadOnlyList<RuleOutcome> Compare() => Rules
            .Select(rule => IngressPlanner.Covering(Group.Ingress, rule) is SecurityGroupRule present
                ? new RuleOutcome(rule, SecurityGroupChangeAction.AlreadyPresent, present)
                : new RuleOutcome(rule, SecurityGroupChangeAction.WouldAdd, null))
            .ToList();

        /// <summary>The rule EC2 created for <paramref name="wanted"/> (it carries the rule id), among those one call added.</summary>
        public static SecurityGroupRule? Created(IEnumerable<SecurityGroupRule> added, SecurityGroupRule wanted) =>
            added.FirstOrDefault(a => IngressPlanner.Key(a) == IngressPlanner.Key(wanted));
    }
}
