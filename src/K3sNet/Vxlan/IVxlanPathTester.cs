using System;
using System.Collections.Generic;
using System.Threading;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// One way of testing VXLAN paths: through the kernel's flannel.1 (kernel mode) or with K3sNet's own RFC 7348
    /// frames to Start-K3sVxlanResponder (probe mode). Results stream back as each peer finishes, so the cmdlet can
    /// write them and its progress on the pipeline thread.
    /// </summary>
    internal interface IVxlanPathTester
    {
        IAsyncEnumerable<VxlanPathResult> TestAsync(
            IReadOnlyList<VxlanPeer> peers,
            VxlanTestOptions options,
            CancellationToken cancellationToken);
    }
}
