using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>A request with the group it changes and the sources its rules admit (group ids and canonical CIDRs).</summary>
    internal sealed record PlacedRequest(TrafficRequest Request, string GroupId, IReadOnlyList<string> Sources);
}
