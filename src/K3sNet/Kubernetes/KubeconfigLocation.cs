using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// The configuration <see cref="KubeconfigLocator"/> chose: the kubeconfig files to merge (first wins), or none for
    /// in-cluster access, and every path it looked at on the way.
    /// </summary>
    internal sealed record KubeconfigLocation(KubeconfigSource Source, IReadOnlyList<string> Files, IReadOnlyList<string> Tried)
    {
        /// <summary>The files found on the way and passed over, each with why ("/home/ops/.kube/config is empty").</summary>
        public IReadOnlyList<string> Skipped { get; init; } = Array.Empty<string>();

        /// <summary>How a person reads where the configuration came from, for verbose output and errors.</summary>
        public string Describe() => Source switch
        {
            KubeconfigSource.InCluster => "the pod's service account (in-cluster)",
            KubeconfigSource.KubeconfigVariable => $"KUBECONFIG ({string.Join(", ", Files)})",
            _ => string.Join(", ", Files),
        };

        /// <summary>
        /// A warning when KUBECONFIG is set but names no file that exists, so the configuration came from further down
        /// the chain: a mistyped KUBECONFIG must not silently read another cluster. Null otherwise.
        /// </summary>
        public string? KubeconfigVariableSkipped()
        {
            if (Source == KubeconfigSource.KubeconfigVariable)
            {
                return null;
            }

            string[] listed = Tried.Where(t => t.StartsWith(KubeconfigLocator.KubeconfigVariablePrefix, StringComparison.Ordinal))
                .Select(t => t.Substring(KubeconfigLocator.KubeconfigVariablePrefix.Length))
                .ToArray();
            return listed.Length == 0
                ? null
                : $"KUBECONFIG names no file that exists and has content ({string.Join(", ", listed)}); reading {Describe()} instead. Correct KUBECONFIG, or pass -Kubeconfig, to be sure which cluster you read.";
        }
    }
}
