using System;
using System.IO;
using System.Net;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Emulators.KubeApi;
using K3sNet.Emulators.KubeApi.Kubelet;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>The fixture cluster served by the Kubernetes API emulator on loopback, with a kubeconfig that points at it.</summary>
    internal sealed class EmulatorCluster : IAsyncLifetime
    {
        public const string Token = "k3snet-xunit-token-3f9a";

        private readonly string _folder = Path.Combine(Path.GetTempPath(), "k3snet-kube-" + Guid.NewGuid().ToString("N"));

        public KubeApiEmulator Emulator { get; private set; } = null!;

        public string KubeconfigPath => Path.Combine(_folder, "config");

        public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

        public int MaxPageSize { get; init; }

        public string ServedToken { get; init; } = Token;

        /// <summary>Addresses the emulator also answers on, which its certificate does not name (as a node's public IP).</summary>
        public IPAddress[] AlsoListenOn { get; init; } = Array.Empty<IPAddress>();

        /// <summary>Extra names for its certificate, as k3s's --tls-san.</summary>
        public string[] TlsSans { get; init; } = Array.Empty<string>();

        /// <summary>The container runtime behind the emulator's kubelet (null: pods stay ContainerCreating).</summary>
        public IContainerRuntime? Runtime { get; init; }

        /// <summary>A ServiceList file to serve, as the lab's services.json.</summary>
        public string? ServicesPath { get; init; }

        /// <summary>The real KubernetesClient on this cluster's kubeconfig (the admin's client certificate).</summary>
        public k8s.Kubernetes Client() => new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(_folder);
            Emulator = new KubeApiEmulator(ClusterObjects.Load(FixturePath("nodes.json"), FixturePath("pods.json"), ServicesPath), ServedToken)
            {
                MaxPageSize = MaxPageSize,
                SlowDelay = TimeSpan.FromMilliseconds(300),
                AlsoListenOn = AlsoListenOn,
                TlsSans = TlsSans,
                Runtime = Runtime,
                // Short kubelet delays: the states are what the tests read, not how long they last.
                ImagePullBackOff = TimeSpan.FromMilliseconds(300),
                RestartBackOff = TimeSpan.FromMilliseconds(300),
                StatusInterval = TimeSpan.FromMilliseconds(50),
            };
            await Emulator.StartAsync(IPAddress.Loopback);
            Emulator.WriteKubeconfig(KubeconfigPath);
        }

        public ClusterConnection Connection(TimeSpan? timeout = null, int pageSize = ClusterConnection.DefaultPageSize) =>
            new(new KubeconfigLocation(KubeconfigSource.Parameter, new[] { KubeconfigPath }, new[] { KubeconfigPath }), null, timeout ?? TimeSpan.FromSeconds(30))
            {
                PageSize = pageSize,
            };

        public async Task DisposeAsync()
        {
            await Emulator.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
