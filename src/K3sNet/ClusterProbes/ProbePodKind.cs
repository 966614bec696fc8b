namespace K3sNet.ClusterProbes
{
    /// <summary>Which probe pod a node gets.</summary>
    internal enum ProbePodKind
    {
        /// <summary>
        /// In the node's own network, PID and mount namespaces (hostNetwork, hostPID, privileged): runs the node checks
        /// Test-K3sVxlan runs on a node, with the node's own tools.
        /// </summary>
        Node,

        /// <summary>On the pod network, as a workload pod (its own address from the podCIDR, NET_RAW for ping): sees what pods see.</summary>
        PodNetwork,
    }
}
