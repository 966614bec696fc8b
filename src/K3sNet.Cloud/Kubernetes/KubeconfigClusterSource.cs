using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
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

        private readonly k8s.Kubernetes _client;
        private readonly int _pageSize;
        private readonly TimeSpan _timeout;
        private readonly ServerCertificateCheck? _certificates;

        public KubeconfigClusterSource(ClusterConnection connection)
        {
            ArgumentNullException.ThrowIfNull(connection);
            KubernetesClientConfiguration configuration = KubeconfigLoader.Build(connection.Location, connection.Context);

            // The library's default waits 100 s per call; an interactive command must give up sooner.
            configuration.HttpClientTimeout = connection.Timeout;
            Server = new Uri(configuration.Host, UriKind.Absolute);
            Context = configuration.CurrentContext ?? "(in-cluster)";
            _pageSize = connection.PageSize;
            _timeout = connection.Timeout;
            SocketsHttpHandler? handler = null;
            configuration.FirstMessageHandlerSetup = h => handler = h as SocketsHttpHandler;
            _client = new k8s.Kubernetes(configuration);
            _certificates = ServerCertificateCheck.Install(handler, configuration);
        }

        public Uri Server { get; }

        public string Context { get; }

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
                    _timeout,
                    () => _client.CoreV1.ListNodeAsync(continueParameter: page, labelSelector: labelSelector, limit: _pageSize, cancellationToken: cancellationToken),
                    cancellationToken, _certificates).ConfigureAwait(false);
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
                _timeout,
                () => _client.CoreV1.ListNamespacedPodAsync(ClusterDnsNamespace, labelSelector: ClusterDnsSelector, cancellationToken: cancellationToken),
                cancellationToken, _certificates).ConfigureAwait(false);
            return (list.Items ?? new List<V1Pod>())
                .Select(p => new ClusterDnsPod(p.Metadata?.Name ?? string.Empty, p.Spec?.NodeName, p.Status?.Phase))
                .ToArray();
        }

        public void Dispose() => _client.Dispose();
    }
}
