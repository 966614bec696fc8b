using System;
using System.Collections.Generic;
using System.Linq;
using k8s.Models;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>Copies what K3sNet reads from a V1Node into <see cref="NodeFacts"/>; no interpretation happens here.</summary>
    internal static class NodeMapping
    {
        public static NodeFacts ToFacts(V1Node node)
        {
            ArgumentNullException.ThrowIfNull(node);
            IList<string>? podCidrs = node.Spec?.PodCIDRs;
            if ((podCidrs is null || podCidrs.Count == 0) && !string.IsNullOrEmpty(node.Spec?.PodCIDR))
            {
                podCidrs = new[] { node.Spec.PodCIDR };
            }

            return new NodeFacts
            {
                Name = node.Metadata?.Name ?? string.Empty,
                Annotations = Copy(node.Metadata?.Annotations),
                Labels = Copy(node.Metadata?.Labels),
                Addresses = (node.Status?.Addresses ?? new List<V1NodeAddress>())
                    .Select(a => new NodeAddressFact(a.Type ?? string.Empty, a.Address ?? string.Empty))
                    .ToArray(),
                Conditions = (node.Status?.Conditions ?? new List<V1NodeCondition>())
                    .Select(c => new NodeConditionFact(c.Type ?? string.Empty, c.Status ?? string.Empty, c.Reason, c.Message))
                    .ToArray(),
                PodCidrs = podCidrs?.ToArray() ?? Array.Empty<string>(),
                ProviderId = node.Spec?.ProviderID,
                KubeletVersion = node.Status?.NodeInfo?.KubeletVersion,
                KernelVersion = node.Status?.NodeInfo?.KernelVersion,
                OsImage = node.Status?.NodeInfo?.OsImage,
                OperatingSystem = node.Status?.NodeInfo?.OperatingSystem,
                Architecture = node.Status?.NodeInfo?.Architecture,
                Images = (node.Status?.Images ?? new List<V1ContainerImage>())
                    .SelectMany(i => i.Names ?? new List<string>())
                    .Where(n => !string.IsNullOrEmpty(n))
                    .Distinct(StringComparer.Ordinal)
                    .ToArray(),
            };
        }

        private static IReadOnlyDictionary<string, string> Copy(IDictionary<string, string>? source) =>
            source is null ? new Dictionary<string, string>() : new Dictionary<string, string>(source, StringComparer.Ordinal);
    }
}
