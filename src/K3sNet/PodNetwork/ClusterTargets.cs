using System;
using System.Collections.Generic;

namespace K3sNet.PodNetwork
{
    /// <summary>
    /// The cluster's own destinations every probe pod tries: the cluster DNS Service (kube-system/kube-dns), each CoreDNS
    /// pod and the node it runs on, and the kubernetes Service (default/kubernetes). Null where the cluster has none.
    /// </summary>
    internal sealed record ClusterTargets
    {
        /// <summary>The name every lookup asks for: fully qualified, so no search domain applies.</summary>
        public const string LookupName = "kubernetes.default.svc.cluster.local";

        public string? DnsServiceIP { get; init; }

        public IReadOnlyList<CoreDnsEndpoint> CoreDnsPods { get; init; } = Array.Empty<CoreDnsEndpoint>();

        public string? KubernetesServiceIP { get; init; }

        public int KubernetesServicePort { get; init; } = 443;
    }

    /// <summary>One CoreDNS pod: its name, the node it runs on, its pod IP.</summary>
    internal sealed record CoreDnsEndpoint(string Name, string? NodeName, string? PodIP);
}
