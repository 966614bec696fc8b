using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Aws
{
    /// <summary>The requests a grant could place, in request order, and what placing them found.</summary>
    internal sealed record GrantPlacement(IReadOnlyList<PlacedRequest> Placed, IReadOnlyList<GrantNote> Notes)
    {
        /// <summary>The groups to read: one DescribeSecurityGroups for all of them.</summary>
        public IReadOnlyList<string> GroupIds => Placed.Select(p => p.GroupId).ToArray();
    }
}
