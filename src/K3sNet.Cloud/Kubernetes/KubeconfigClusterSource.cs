using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>A cluster reached through KubernetesClient with the credentials of one kubeconfig context.</summary>
    internal sealed class KubeconfigClusterSource : IClusterSource
    {
        private const string ClusterDnsNamespace = "kube-system";
        private const string ClusterDnsSelector = "k8s-app=kube-dns";

        private readonly ClusterClient _client;

        public KubeconfigClusterSource(ClusterConnection connection)
            : this(new ClusterClient(connection))
        {
        }

        /// <summary>A reader over a client someone else made (the pod runner's); disposing it disposes the client.</summary>
        public KubeconfigClusterSource(ClusterClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

        public Uri Server => _client.Server;

        public string Context => _client.Context;

        public async Task<IReadOnlyList<NodeFacts>> ListNodesAsync(string? labelSelector, CancellationToken cancellationToken)
        {
            var request = new ClusterRequest(Server, "list", "nodes", null);
            var nodes = new List<NodeFacts>();
            string? next = null;
            do
            {
                string? page = next;
                V1NodeList list = await ClusterRequests.SendAsync(
                    request,
                    _client.Timeout,
                    () => _client.Api.CoreV1.ListNodeAsync(continueParameter: page, labelSelector: labelSelector, limit: _client.PageSize, cancellationToken: cancellationToken),
                    cancellationToken, _client.Certificates).ConfigureAwait(false);
                nodes.AddRange((list.Items ?? new List<V1Node>()).Select(NodeMapping.ToFacts));
                next = list.Metadata?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(next));

            return nodes;
        }

        public async Task<IReadOnlyList<ClusterDnsPod>> ListClusterDnsPodsAsync(CancellationToken cancellationToken)
        {
            var request = new ClusterRequest(Server, "list", "pods", ClusterDnsNamespace);
            V1PodList list = await ClusterRequests.SendAsync(
                request,
                _client.Timeout,
                () => _client.Api.CoreV1.ListNamespacedPodAsync(ClusterDnsNamespace, labelSelector: ClusterDnsSelector, cancellationToken: cancellationToken),
                cancellationToken, _client.Certificates).ConfigureAwait(false);
            return (list.Items ?? new List<V1Pod>())
                .Select(p => new ClusterDnsPod(p.Metadata?.Name ?? string.Empty, p.Spec?.NodeName, p.Status?.Phase))
                .ToArray();
        }

        public void Dispose() => _client.Dispose();
    }
}
