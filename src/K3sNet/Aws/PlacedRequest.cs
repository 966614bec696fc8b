using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>
    /// A request with the group it changes and the sources its rules admit (group ids and canonical CIDRs), and why K3sNet
    /// chose them when the instances left a choice (what -WhatIf shows).
    /// </summary>
    internal sealed record PlacedRequest(TrafficRequest Request, string GroupId, IReadOnlyList<string> Sources)
    {
        public IReadOnlyList<string> Why { get; init; } = System.Array.Empty<string>();
    }
}
