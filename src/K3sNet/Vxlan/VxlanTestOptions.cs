using System;

namespace K3sNet.Vxlan
{
    /// <summary>How Test-K3sVxlan probes: shared by the kernel mode and the probe mode.</summary>
    internal sealed record VxlanTestOptions
    {
        /// <summary>How long one probe waits for its answer.</summary>
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

        /// <summary>How many peers are probed at once.</summary>
        public int MaxConcurrency { get; init; } = 64;

        /// <summary>The UDP port VXLAN uses.</summary>
        public int Port { get; init; } = 8472;

        public int Vni { get; init; } = 1;

        /// <summary>The name of the node the test runs on, for Source.</summary>
        public string LocalNodeName { get; init; } = Environment.MachineName;

        /// <summary>
        /// The node the test runs on, as its annotations describe it, when it is known: the kernel mode checks the local
        /// flannel.1 against it. Null with -ComputerName/-VtepAddress alone.
        /// </summary>
        public VxlanPeer? LocalNode { get; init; }
    }
}
