using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>How a choice of security group ended.</summary>
    internal enum GroupChoiceKind
    {
        /// <summary>One group is the narrowest: <see cref="GroupChoice.GroupId"/>.</summary>
        Chosen,

        /// <summary>Several groups are equally narrow: the user must name one (<see cref="GroupChoice.Candidates"/>).</summary>
        Ambiguous,

        /// <summary>The interface carries only the VPC's default group, which K3sNet never widens on its own.</summary>
        DefaultOnly,

        /// <summary>The interface carries no security group at all.</summary>
        NoGroup,

        /// <summary>A source carries no group that only the cluster's nodes carry: its address alone is the narrowest source.</summary>
        NoClusterGroup,
    }

    /// <summary>
    /// The group to change for a destination, or to admit for a source, with the candidates weighed and why: a sentence
    /// -WhatIf and -Verbose show, and an error repeats when the choice is the user's to make.
    /// </summary>
    internal sealed record GroupChoice(GroupChoiceKind Kind, string? GroupId, IReadOnlyList<string> Candidates, string Why);
}
