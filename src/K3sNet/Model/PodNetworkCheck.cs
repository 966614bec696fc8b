namespace K3sNet
{
    /// <summary>What a pod on one node tried to reach.</summary>
    public enum PodNetworkCheck
    {
        /// <summary>ICMP echo from this node's probe pod to another node's probe pod, across the pod network (VXLAN between nodes).</summary>
        PodToPod,

        /// <summary>A name looked up through the cluster DNS Service's cluster IP (kube-dns), as every pod resolves.</summary>
        ClusterDns,

        /// <summary>The same name looked up directly at one CoreDNS pod's IP, without the Service in between.</summary>
        CoreDnsPod,

        /// <summary>A TCP connection to the kubernetes Service (default/kubernetes), the API server as pods reach it.</summary>
        KubernetesService,

        /// <summary>A name outside the cluster (-Egress name:port) resolved through the cluster DNS and connected to.</summary>
        Egress,
    }
}
