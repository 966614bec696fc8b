using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using k8s;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>A cluster reached through KubernetesClient with the credentials of one kubeconfig context.</summary>
    internal sealed class KubeconfigClusterSource : IClusterSource
    {
        private readonly k8s.Kubernetes _client;

        public KubeconfigClusterSource(ClusterConnection connection)
        {
            ArgumentNullException.ThrowIfNull(connection);
            KubernetesClientConfiguration configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(
                new FileInfo(connection.KubeconfigPath), currentContext: connection.Context);

            // The library's default waits 100 s per call; an interactive command must give up sooner.
            configuration.HttpClientTimeout = connection.Timeout;
            Server = new Uri(configuration.Host, UriKind.Absolute);
            Context = configuration.CurrentContext;
            _client = new k8s.Kubernetes(configuration);
        }

        public Uri Server { get; }

        public string Context { get; }

        public async Task<string> GetServerVersionAsync(CancellationToken cancellationToken)
        {
            k8s.Models.VersionInfo version = await _client.Version.GetCodeAsync(cancellationToken).ConfigureAwait(false);
            return version.GitVersion;
        }

        public void Dispose() => _client.Dispose();
    }
}
