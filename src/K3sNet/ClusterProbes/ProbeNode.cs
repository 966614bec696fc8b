namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// One node's probe pod once the fleet has started: ready to exec into, or why not (the pod's own reason:
    /// "ErrImagePull: ...", "Unschedulable: ...", "not Ready within 60 s"), which makes that node's results NotTested.
    /// </summary>
    internal sealed record ProbeNode
    {
        public required K3sNode Node { get; init; }

        public required string PodName { get; init; }

        public string? PodIP { get; init; }

        /// <summary>The directory of k3s's own static tools on the node (busybox, ip, nft...), mounted at the same path in the pod.</summary>
        public required string ToolDirectory { get; init; }

        /// <summary>Null when the pod runs and is ready; else the reason, in the kubelet's words.</summary>
        public string? NotReadyReason { get; init; }

        public bool IsReady => NotReadyReason is null;
    }
}
