namespace K3sNet.Kubernetes
{
    /// <summary>The annotation and label keys k3s and flannel write on a Node (reference: k3s-networking.md §3).</summary>
    internal static class NodeAnnotations
    {
        public const string FlannelBackendType = "flannel.alpha.coreos.com/backend-type";
        public const string FlannelBackendData = "flannel.alpha.coreos.com/backend-data";
        public const string FlannelPublicIP = "flannel.alpha.coreos.com/public-ip";
        public const string FlannelPublicIPv6 = "flannel.alpha.coreos.com/public-ipv6";
        public const string FlannelPublicIPOverwrite = "flannel.alpha.coreos.com/public-ip-overwrite";
        public const string FlannelPublicIPv6Overwrite = "flannel.alpha.coreos.com/public-ipv6-overwrite";
        public const string K3sInternalIP = "k3s.io/internal-ip";
        public const string K3sExternalIP = "k3s.io/external-ip";
        public const string K3sNodeArgs = "k3s.io/node-args";
        public const string ProvidedNodeIP = "alpha.kubernetes.io/provided-node-ip";

        public const string RoleLabelPrefix = "node-role.kubernetes.io/";
        public const string OsLabel = "kubernetes.io/os";
        public const string ZoneLabel = "topology.kubernetes.io/zone";
    }
}
