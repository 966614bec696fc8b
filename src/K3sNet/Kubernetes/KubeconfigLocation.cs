using System.Collections.Generic;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// The configuration <see cref="KubeconfigLocator"/> chose: the kubeconfig files to merge (first wins), or none for
    /// in-cluster access, and every path it looked at on the way.
    /// </summary>
    internal sealed record KubeconfigLocation(KubeconfigSource Source, IReadOnlyList<string> Files, IReadOnlyList<string> Tried)
    {
        /// <summary>How a person reads where the configuration came from, for verbose output and errors.</summary>
        public string Describe() => Source switch
        {
            KubeconfigSource.InCluster => "the pod's service account (in-cluster)",
            KubeconfigSource.KubeconfigVariable => $"KUBECONFIG ({string.Join(", ", Files)})",
            _ => string.Join(", ", Files),
        };
    }
}
