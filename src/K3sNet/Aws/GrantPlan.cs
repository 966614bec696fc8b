using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>The rules each existing group needs, groups in the order requests first named them, and what planning found.</summary>
    internal sealed record GrantPlan(IReadOnlyList<GroupGrant> Groups, IReadOnlyList<GrantNote> Notes);
}
