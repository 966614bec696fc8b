using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Cloud.Kubernetes;
using K3sNet.Emulators.KubeApi;
using K3sNet.Emulators.KubeApi.Kubelet;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The fixture cluster (nodes, CoreDNS pods, the kube-dns and kubernetes services) on the Kubernetes API emulator,
    /// whose kubelet runs the pods the pod runner creates through <see cref="Runtime"/> and serves pods/exec for them,
    /// and the pod runner K3sNet uses, on the emulator's kubeconfig.
    /// </summary>
    internal sealed class PodRunnerCluster : IAsyncLifetime
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "k3snet-runner-" + Guid.NewGuid().ToString("N"));

        /// <summary>The container runtime behind the kubelet: the isolated one (root) unless a test gives another.</summary>
        public IContainerRuntime? Runtime { get; init; }

        /// <summary>False: answer exec as an API server older than 1.30 (no v5.channel.k8s.io).</summary>
        public bool ServerSpeaksV5 { get; init; } = true;

        /// <summary>How long the emulator keeps a watch open before it ends it (zero: no limit).</summary>
        public TimeSpan MaxWatchDuration { get; init; }

        public KubeApiEmulator Emulator { get; private set; } = null!;

        public KubeletEndpoints Kubelet { get; private set; } = null!;

        public string KubeconfigPath => Path.Combine(_folder, "config");

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(_folder);
            ClusterObjects objects = ClusterObjects.Load(EmulatorCluster.FixturePath("nodes.json"), EmulatorCluster.FixturePath("pods.json"), EmulatorCluster.FixturePath("services.json"));
            IReadOnlyDictionary<string, string> internalIps = PodSpecReader.InternalIps(objects.Nodes);
            IContainerRuntime runtime = Runtime ?? new IsolatedContainerRuntime(internalIps);
            Emulator = new KubeApiEmulator(objects, EmulatorCluster.Token)
            {
                Runtime = runtime,
                MaxWatchDuration = MaxWatchDuration,
                // Short kubelet delays: the states are what the tests read, not how long they last.
                ImagePullBackOff = TimeSpan.FromMilliseconds(300),
                RestartBackOff = TimeSpan.FromMilliseconds(300),
                StatusInterval = TimeSpan.FromMilliseconds(50),
            };
            Kubelet = new KubeletEndpoints(Emulator.Pods, runtime, node => internalIps.GetValueOrDefault(node)) { ServerSpeaksV5 = ServerSpeaksV5 };
            Emulator.Kubelet = Kubelet;
            await Emulator.StartAsync(IPAddress.Loopback);
            Emulator.WriteKubeconfig(KubeconfigPath);
        }

        /// <summary>The pod runner as CloudServices.ConnectPodRunner makes it, on this cluster's kubeconfig.</summary>
        public IPodRunner Runner(TimeSpan? timeout = null) => new CloudServices().ConnectPodRunner(
            new ClusterConnection(new KubeconfigLocation(KubeconfigSource.Parameter, new[] { KubeconfigPath }, new[] { KubeconfigPath }), null, timeout ?? TimeSpan.FromSeconds(30)));

        public async Task DisposeAsync()
        {
            await Emulator.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }

        /// <summary>A namespace of K3sNet's own for one test, labelled as a run's would be.</summary>
        public static ProbeNamespaceSpec Namespace(string name, IReadOnlyDictionary<string, string>? labels = null) =>
            new(name, labels ?? new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "k3snet" }, new Dictionary<string, string>());

        /// <summary>A pinned probe pod running <paramref name="command"/> (busybox, which the isolated runtime runs from the machine).</summary>
        public static ProbePodSpec Pod(string ns, string name, string node, params string[] command) => new()
        {
            Name = name,
            Namespace = ns,
            NodeName = node,
            Image = "docker.io/rancher/mirrored-library-busybox:1.37.0",
            Command = command.Length == 0 ? new[] { "sleep", "3600" } : command,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "k3snet-probe" },
        };

        /// <summary>Watches until a pod's state satisfies <paramref name="done"/>; every state seen, in order.</summary>
        public static async Task<IReadOnlyList<ProbePodStatus>> WatchUntilAsync(IPodRunner runner, string ns, Func<ProbePodStatus, bool> done, TimeSpan? patience = null)
        {
            using var stop = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(60));
            var seen = new List<ProbePodStatus>();
            try
            {
                await foreach (ProbePodStatus pod in runner.WatchPodsAsync(ns, null, stop.Token))
                {
                    seen.Add(pod);
                    if (done(pod))
                    {
                        return seen;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Out of patience: the caller's assertion shows what was seen.
            }

            return seen;
        }
    }
}
