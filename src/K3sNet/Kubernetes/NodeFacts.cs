using System;
using System.Collections.Generic;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// What a Kubernetes Node object says, copied out of the client library's model so that the parsing into
    /// <see cref="K3sNode"/> is plain logic, testable without KubernetesClient.
    /// </summary>
    internal sealed record NodeFacts
    {
        public string Name { get; init; } = string.Empty;

        public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        /// <summary>status.addresses in the order the node reports them.</summary>
        public IReadOnlyList<NodeAddressFact> Addresses { get; init; } = Array.Empty<NodeAddressFact>();

        public IReadOnlyList<NodeConditionFact> Conditions { get; init; } = Array.Empty<NodeConditionFact>();

        /// <summary>spec.podCIDRs, or spec.podCIDR alone on clusters that predate dual-stack.</summary>
        public IReadOnlyList<string> PodCidrs { get; init; } = Array.Empty<string>();

        public string? ProviderId { get; init; }

        public string? KubeletVersion { get; init; }

        public string? KernelVersion { get; init; }

        public string? OsImage { get; init; }

        /// <summary>status.nodeInfo.operatingSystem: linux or windows.</summary>
        public string? OperatingSystem { get; init; }

        /// <summary>status.nodeInfo.architecture: amd64, arm64.</summary>
        public string? Architecture { get; init; }

        /// <summary>status.images: every name (repository:tag and digest forms) of the images the node holds, as the kubelet reports them (50 by default).</summary>
        public IReadOnlyList<string> Images { get; init; } = Array.Empty<string>();
    }

    /// <summary>One entry of status.addresses: InternalIP, ExternalIP, Hostname, InternalDNS or ExternalDNS.</summary>
    internal sealed record NodeAddressFact(string Type, string Address);

    /// <summary>One entry of status.conditions.</summary>
    internal sealed record NodeConditionFact(string Type, string Status, string? Reason, string? Message);

    /// <summary>A CoreDNS pod (kube-system, k8s-app=kube-dns) and the node it is scheduled on.</summary>
    internal sealed record ClusterDnsPod(string Name, string? NodeName, string? Phase);
}
