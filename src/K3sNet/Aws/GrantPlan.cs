using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>
    /// The rules each existing group needs, groups in the order requests first named them, and what planning found.
    /// <paramref name="Consolidations"/>: sources too many to admit one by one, still to be replaced by a CIDR or a
    /// prefix list (<see cref="GrantPlanner.Consolidate"/>), once K3sNet has read the subnets they live in.
    /// </summary>
    internal sealed record GrantPlan(IReadOnlyList<GroupGrant> Groups, IReadOnlyList<GrantNote> Notes)
    {
        public IReadOnlyList<SourceConsolidation> Consolidations { get; init; } = System.Array.Empty<SourceConsolidation>();
    }

    /// <summary>
    /// The automatic sources of one port into one group, past the threshold: <paramref name="Addresses"/> are the source
    /// nodes' private addresses the replacement must cover, <paramref name="Replaced"/> the sources it replaces.
    /// </summary>
    internal sealed record SourceConsolidation(
        string GroupId, TrafficProtocol Protocol, int FromPort, int ToPort, string Description, IReadOnlyList<string> Addresses, IReadOnlyList<string> Replaced);
}
