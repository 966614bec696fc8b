// CONTRACT (integrator, 2026-12-02): the signatures below are fixed; helper A implements the bodies.
using System;
using System.Collections.Generic;

namespace K3sNet.NodeAccess
{
    /// <summary>The node agent: a short busybox ash loop run by exec in a probe pod, which runs K3sNet's tool requests on the node.</summary>
    internal static class NodeAgentScript
    {
        /// <summary>The exec command that starts the agent with k3s's own tools in <paramref name="toolDirectory"/> (its busybox runs the loop).</summary>
        public static IReadOnlyList<string> Command(string toolDirectory) => throw new NotImplementedException();
    }
}
