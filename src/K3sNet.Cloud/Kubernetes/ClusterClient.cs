using System;
using System.Net.Http;
using System.Threading;
using k8s;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// KubernetesClient connected with one kubeconfig context, as every K3sNet reader and the pod runner use it: the
    /// request timeout, the certificate check that tells a refused certificate by its cause, and a count of the requests
    /// sent (each HTTP request, and each exec connection its WebSocket builder reports).
    /// </summary>
    internal sealed class ClusterClient : IDisposable
    {
        private int _requests;

        public ClusterClient(ClusterConnection connection)
        {
            ArgumentNullException.ThrowIfNull(connection);
            KubernetesClientConfiguration configuration = KubeconfigLoader.Build(connection.Location, connection.Context);

            // The library's default waits 100 s per call; an interactive command must give up sooner.
            configuration.HttpClientTimeout = connection.Timeout;
            Server = new Uri(configuration.Host, UriKind.Absolute);
            Context = configuration.CurrentContext ?? "(in-cluster)";
            PageSize = connection.PageSize;
            Timeout = connection.Timeout;
            SocketsHttpHandler? handler = null;
            configuration.FirstMessageHandlerSetup = h => handler = h as SocketsHttpHandler;
            Api = new k8s.Kubernetes(configuration, new RequestCounter(this));
            Certificates = ServerCertificateCheck.Install(handler, configuration);
        }

        public k8s.Kubernetes Api { get; }

        public Uri Server { get; }

        public string Context { get; }

        public int PageSize { get; }

        public TimeSpan Timeout { get; }

        public ServerCertificateCheck? Certificates { get; }

        /// <summary>Requests sent so far: HTTP requests (a watch is one) and exec connections.</summary>
        public int RequestCount => Volatile.Read(ref _requests);

        /// <summary>Counts one request that does not pass the HTTP pipeline (an exec WebSocket).</summary>
        public void CountRequest() => Interlocked.Increment(ref _requests);

        public void Dispose() => Api.Dispose();

        /// <summary>Counts every request the client's HTTP pipeline sends, paging and watches included.</summary>
        private sealed class RequestCounter : DelegatingHandler
        {
            private readonly ClusterClient _owner;

            public RequestCounter(ClusterClient owner) => _owner = owner;

            protected override System.Threading.Tasks.Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                _owner.CountRequest();
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
