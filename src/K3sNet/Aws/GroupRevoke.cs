using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>
    /// What revoking means for one group: whether it exists, the requests no current rule matches (as the NotPresent
    /// changes -PassThru reports), and the rules to remove, each once, in request order.
    /// </summary>
    internal sealed record GroupRevoke(string GroupId, bool Exists, IReadOnlyList<SecurityGroupChange> NotPresent, IReadOnlyList<SecurityGroupRule> Rules);
}
