using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Kubernetes;

namespace K3sNet.Ports
{
    /// <summary>
    /// What a cluster runs, read from its nodes: the flannel backend they publish, embedded etcd (the etcd role label),
    /// the embedded registry (--embedded-registry in k3s.io/node-args) and dual-stack (an IPv6 address on any node).
    /// </summary>
    internal static class PortMatrixInference
    {
        /// <param name="backendWhenUnpublished">
        /// The backend to assume when no node publishes one: None for the port matrix (flannel may be off), VXLAN where
        /// a caller judges traffic and k3s's default is the likelier truth.
        /// </param>
        public static PortMatrixInferenceResult FromNodes(IReadOnlyCollection<K3sNode> nodes, K3sRole? role,
            FlannelBackend backendWhenUnpublished = FlannelBackend.None)
        {
            ArgumentNullException.ThrowIfNull(nodes);
            var notes = new List<string>();

            FlannelBackend? published = ClusterBackend.Infer(nodes);
            FlannelBackend backend = published ?? backendWhenUnpublished;
            string[] others = nodes.Where(n => n.FlannelBackend is FlannelBackend b && b != backend).Select(n => n.Name).ToArray();
            if (others.Length > 0)
            {
                notes.Add($"Nodes disagree on the flannel backend: the matrix is for {backend.ToK3sName()}, the cluster's backend; "
                    + $"{string.Join(", ", others)} {(others.Length == 1 ? "runs" : "run")} another (see Get-K3sNode's Problems).");
            }

            string[] etcd = nodes.Where(n => n.EmbeddedEtcd || n.Roles.Contains("etcd", StringComparer.Ordinal)).Select(n => n.Name).ToArray();
            string[] registry = nodes.Where(n => n.EmbeddedRegistry).Select(n => n.Name).ToArray();
            string[] ipv6 = nodes.Where(n => !string.IsNullOrEmpty(n.InternalIPv6) || !string.IsNullOrEmpty(n.FlannelPublicIPv6)).Select(n => n.Name).ToArray();

            var options = new PortMatrixOptions
            {
                Role = role,
                FlannelBackend = backend,
                EmbeddedEtcd = etcd.Length > 0,
                EmbeddedRegistry = registry.Length > 0,
                IPv6 = ipv6.Length > 0,
            };

            string summary = $"From {nodes.Count} node(s): flannel backend {backend.ToK3sName()}"
                + (published is null && backend != FlannelBackend.None ? " (k3s's default: no node publishes one)" : string.Empty)
                + (etcd.Length > 0 ? $"; embedded etcd ({string.Join(", ", etcd)})" : "; no embedded etcd")
                + (registry.Length > 0 ? $"; embedded registry ({string.Join(", ", registry)})" : "; no embedded registry")
                + (ipv6.Length > 0 ? $"; dual-stack ({string.Join(", ", ipv6)})" : "; IPv4 only")
                + ".";
            return new PortMatrixInferenceResult(options, summary, notes);
        }
    }

    /// <summary>The options inferred from nodes, a one-line account of why, and anything the nodes disagree on.</summary>
    internal sealed record PortMatrixInferenceResult(PortMatrixOptions Options, string Summary, IReadOnlyList<string> Warnings);
}
