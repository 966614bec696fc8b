// CONTRACT (integrator, 2026-12-02): the signatures below are fixed; helper A implements the bodies.
using System;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// Test-K3sVxlan's kernel-mode checks on a node reached through <see cref="INodeShell"/>: the same state readers,
    /// the same KernelPathTester and verdict rules, with echoes sent by the node's own ping.
    /// </summary>
    internal static class RemoteNodeChecks
    {
        /// <summary>The tester for that node, or the failure Test-K3sVxlan would report there (no flannel.1, no iproute2...).</summary>
        public static Task<VxlanTesterCreation> CreateTesterAsync(INodeShell shell, VxlanTestOptions options, CancellationToken cancellationToken) =>
            throw new NotImplementedException();
    }
}
