using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>
    /// What revoking means for one group: whether it exists, the requests no current rule matches (as the NotPresent
    /// changes -PassThru reports), the rules to remove, each once, in request order, and whether a request that named no
    /// port chose some of them (every K3sNet rule of the group or of a protocol: the change that asks first).
    /// </summary>
    internal sealed record GroupRevoke(
        string GroupId, bool Exists, IReadOnlyList<SecurityGroupChange> NotPresent, IReadOnlyList<SecurityGroupRule> Rules, bool WithoutPort = false);
}
