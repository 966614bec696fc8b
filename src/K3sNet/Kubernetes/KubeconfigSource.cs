namespace K3sNet.Kubernetes
{
    /// <summary>Where the cluster configuration came from, in kubectl's order of precedence.</summary>
    internal enum KubeconfigSource
    {
        /// <summary>-Kubeconfig.</summary>
        Parameter,

        /// <summary>The KUBECONFIG environment variable (one or more files, merged as kubectl merges them).</summary>
        KubeconfigVariable,

        /// <summary>~/.kube/config.</summary>
        UserHome,

        /// <summary>/etc/rancher/k3s/k3s.yaml, which a k3s server writes for its own admin.</summary>
        K3sServer,

        /// <summary>The pod's service account (KUBERNETES_SERVICE_HOST and the mounted token).</summary>
        InCluster,
    }
}
