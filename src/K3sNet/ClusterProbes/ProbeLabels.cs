namespace K3sNet.ClusterProbes
{
    /// <summary>The labels and annotations that mark what K3sNet made in a cluster, and whose run made it.</summary>
    internal static class ProbeLabels
    {
        /// <summary>The run that made a namespace or pod (its 8 hex digits).</summary>
        public const string Run = "k3snet.io/run";

        /// <summary>The node a probe pod is pinned to (as a label value: see <see cref="ProbeNames.Label"/>).</summary>
        public const string Node = "k3snet.io/node";

        /// <summary>Pod Security admission's enforce level for the namespace.</summary>
        public const string PodSecurityEnforce = "pod-security.kubernetes.io/enforce";

        /// <summary>The level node probe pods need: hostNetwork, hostPID, privileged and hostPath are all outside baseline.</summary>
        public const string PodSecurityLevel = "privileged";

        /// <summary>Who ran it: user@host (never a token, never the kubeconfig).</summary>
        public const string OwnerAnnotation = "k3snet.io/owner";

        public const string PidAnnotation = "k3snet.io/pid";

        /// <summary>When the run started, ISO 8601 UTC.</summary>
        public const string StartedAnnotation = "k3snet.io/started";

        /// <summary>What the run was for (the cmdlet), so a leftover says where it came from.</summary>
        public const string PurposeAnnotation = "k3snet.io/purpose";

        /// <summary>The selector for every namespace K3sNet made.</summary>
        public const string ManagedSelector = ProbeFleet.ManagedByLabel + "=" + ProbeFleet.ManagedByValue;
    }
}
