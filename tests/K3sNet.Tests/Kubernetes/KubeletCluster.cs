using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The fixture cluster on the Kubernetes API emulator with a kubelet behind it: pods run by the isolated runtime
    /// (fresh namespaces per node and pod), found through an in-test pod directory that stands for the API's pod store.
    /// </summary>
    internal sealed class KubeletCluster : IAsyncLifetime
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "k3snet-kubelet-" + Guid.NewGuid().ToString("N"));

        public KubeApiEmulator Emulator { get; private set; } = null!;

        public IsolatedContainerRuntime Runtime { get; private set; } = null!;

        public KubeletEndpoints Kubelet { get; private set; } = null!;

        public TestPodDirectory Pods { get; } = new();

        /// <summary>False: answer as an API server older than 1.30 (no v5.channel.k8s.io).</summary>
        public bool ServerSpeaksV5 { get; init; } = true;

        public string KubeconfigPath => Path.Combine(_folder, "config");

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(_folder);
            ClusterObjects objects = ClusterObjects.Load(EmulatorCluster.FixturePath("nodes.json"), EmulatorCluster.FixturePath("pods.json"));
            IReadOnlyDictionary<string, string> internalIps = PodSpecReader.InternalIps(objects.Nodes);
            Runtime = new IsolatedContainerRuntime(internalIps);
            Kubelet = new KubeletEndpoints(Pods, Runtime, node => internalIps.GetValueOrDefault(node)) { ServerSpeaksV5 = ServerSpeaksV5 };
            Emulator = new KubeApiEmulator(objects, EmulatorCluster.Token) { Kubelet = Kubelet };
            await Emulator.StartAsync(IPAddress.Loopback);
            Emulator.WriteKubeconfig(KubeconfigPath);
        }

        public k8s.Kubernetes Client() => new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

        /// <summary>Puts a pod in the directory and has the runtime start it, as the API side's pod lifecycle does.</summary>
        public async Task<(PodLaunch Pod, PodPlacement Placement)> RunPodAsync(string name, string node, params string[] command)
        {
            PodLaunch pod = Pod(name, node, hostNetwork: false, command);
            return (pod, await StartAsync(pod));
        }

        public async Task<PodPlacement> StartAsync(PodLaunch pod)
        {
            Pods.Add(pod, "Running");
            return await Runtime.StartPodAsync(pod, CancellationToken.None);
        }

        public static PodLaunch Pod(string name, string node, bool hostNetwork, params string[] command) =>
            new(Guid.NewGuid().ToString(), "default", name, node, hostNetwork, HostPid: false,
                new[] { new ContainerLaunch("main", "busybox:1.36", command, Array.Empty<string>(), false, Array.Empty<HostPathMount>()) });

        public async Task DisposeAsync()
        {
            await Emulator.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The pod store's part the kubelet reads: pods by namespace and name, with their phase.</summary>
    internal sealed class TestPodDirectory : IPodDirectory
    {
        private readonly ConcurrentDictionary<(string, string), (PodLaunch Pod, string Phase)> _pods = new();

        public void Add(PodLaunch pod, string phase) => _pods[(pod.Namespace, pod.Name)] = (pod, phase);

        public PodLaunch? Find(string ns, string name, out string phase)
        {
            if (_pods.TryGetValue((ns, name), out var entry))
            {
                phase = entry.Phase;
                return entry.Pod;
            }

            phase = string.Empty;
            return null;
        }
    }

    /// <summary>
    /// A test that needs the isolated runtime (root, Linux namespaces): skipped with the reason where it cannot run, but
    /// run (and so failed) under CI=true as root, as the lab's tests are (Test-K3sNetLabRequired).
    /// </summary>
    internal sealed class IsolatedFactAttribute : FactAttribute
    {
        public IsolatedFactAttribute()
        {
            if (IsolatedContainerRuntime.UnavailableReason is string reason && !Required)
            {
                Skip = reason;
            }
        }

        private static bool Required =>
            OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess
            && (Environment.GetEnvironmentVariable("CI") ?? string.Empty).ToLowerInvariant() is "true" or "1";
    }

    /// <summary>The machine's processes as the tests check them: by argv, or by the marker a runtime puts in their environment.</summary>
    internal static class MachineProcesses
    {
        public static IReadOnlyList<int> WithCommandLine(params string[] argv) =>
            Pids().Where(pid => Read($"/proc/{pid}/cmdline") is string line && line.TrimEnd('\0').Split('\0').SequenceEqual(argv)).ToArray();

        public static IReadOnlyList<int> WithEnvironment(string marker) =>
            Pids().Where(pid => Read($"/proc/{pid}/environ") is string env && env.Split('\0').Contains(marker, StringComparer.Ordinal)).ToArray();

        /// <summary>Waits (the kernel ends a PID namespace's processes a moment after its PID 1) until none is left.</summary>
        public static async Task<IReadOnlyList<int>> LeftAfterAsync(Func<IReadOnlyList<int>> find)
        {
            IReadOnlyList<int> left = find();
            for (int i = 0; i < 100 && left.Count > 0; i++)
            {
                await Task.Delay(50);
                left = find();
            }

            return left;
        }

        private static IEnumerable<int> Pids() =>
            Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture));

        private static string? Read(string path)
        {
            try
            {
                return Encoding.UTF8.GetString(File.ReadAllBytes(path));
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
