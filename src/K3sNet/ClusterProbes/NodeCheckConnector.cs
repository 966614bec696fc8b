using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.NodeAccess;
using K3sNet.Vxlan;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// How a node's exec session becomes Test-K3sVxlan's checks on that node: the node agent's command (run by k3s's busybox from
    /// the tool directory), its session over the exec streams, and the kernel tester reached through it. Unit tests put fakes in its place.
    /// </summary>
    internal sealed record NodeCheckConnector(
        Func<string, IReadOnlyList<string>> AgentCommand,
        Func<string, IExecSession, INodeShell> OpenShell,
        Func<INodeShell, VxlanTestOptions, CancellationToken, Task<VxlanTesterCreation>> CreateTester)
    {
        /// <summary>K3sNet's node agent (NodeAgentScript in k3s's busybox) and the same kernel checks Test-K3sVxlan runs on a node.</summary>
        public static NodeCheckConnector NodeAgent { get; } = new(
            NodeAgentScript.Command,
            (description, session) => new NodeAgentSession(description, session.StandardInput, session.StandardOutput),
            RemoteNodeChecks.CreateTesterAsync);
    }
}
