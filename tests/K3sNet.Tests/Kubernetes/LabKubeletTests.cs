using System;
using System.Diagnostics;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi;
using K3sNet.Emulators.KubeApi.Kubelet;
using K3sNet.Tests.Help;
using k8s;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The kubelet on the real lab (tests/Lab, built by `dotnet pwsh` in a child process that holds the lab's life): the
    /// real KubernetesClient execs, through the emulator, in pods the LabContainerRuntime runs on the lab's nodes.
    /// </summary>
    public sealed class LabKubeletTests
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

        [LabFact]
        public async Task Lab_pods_run_on_their_nodes_and_exec_reaches_them_through_the_api()
        {
            await using LabHost lab = await LabHost.StartAsync();
            LabDescription description = LabDescription.Load(Path.Combine(lab.Folder, "lab.json"));
            ClusterObjects objects = ClusterObjects.Load(Path.Combine(lab.Folder, "nodes.json"), Path.Combine(lab.Folder, "pods.json"));
            IReadOnlyDictionary<string, string> internalIps = PodSpecReader.InternalIps(objects.Nodes);
            var runtime = new LabContainerRuntime(description);
            var pods = new TestPodDirectory();
            string kubeconfig = Path.Combine(lab.Folder, "kubelet-test-kubeconfig.yaml");
            await using (var emulator = new KubeApiEmulator(objects, EmulatorCluster.Token) { Kubelet = new KubeletEndpoints(pods, runtime, n => internalIps.GetValueOrDefault(n)) })
            {
                await emulator.StartAsync(IPAddress.Loopback);
                emulator.WriteKubeconfig(kubeconfig);
                using k8s.Kubernetes client = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
                LabNode agent1 = description.Nodes.Single(n => n.Name == "k3s-agent-1");
                LabNode agent2 = description.Nodes.Single(n => n.Name == "k3s-agent-2");

                // A probe as node tools run one: hostNetwork and hostPID on agent-2.
                PodLaunch probe = KubeletCluster.Pod("probe", agent2.Name, hostNetwork: true) with { HostPid = true };
                pods.Add(probe, "Running");
                Assert.Equal(new PodPlacement(agent2.HostIp, agent2.HostIp), await runtime.StartPodAsync(probe, CancellationToken.None));
                Assert.Contains($"inet {agent2.HostIp}/", await ExecAsync(client, "probe", "ip", "-4", "-o", "addr", "show", "eth0"), StringComparison.Ordinal);
                // `nsenter -t 1 -n` in a hostPID pod enters that node: agent-2's network namespace, not the machine's.
                string nodeNet = (await ExecAsync(client, "probe", "nsenter", "-t", "1", "-n", "--", "readlink", "/proc/self/ns/net")).Trim();
                Assert.Equal(Link($"/proc/{agent2.InitPid}/ns/net"), nodeNet);
                Assert.NotEqual(Link("/proc/self/ns/net"), nodeNet);
                Assert.Contains("inet 10.42.2.0/32", await ExecAsync(client, "probe", "nsenter", "-t", "1", "-n", "--", "ip", "-4", "-o", "addr", "show", "flannel.1"), StringComparison.Ordinal);

                // A pod on the pod network of agent-1: its own namespace from the lab's CNI, an address the kubelet hands out.
                PodLaunch web = KubeletCluster.Pod("web", agent1.Name, hostNetwork: false);
                pods.Add(web, "Running");
                PodPlacement placement = await runtime.StartPodAsync(web, CancellationToken.None);
                Assert.StartsWith("10.42.1.", placement.PodIp, StringComparison.Ordinal);
                Assert.True(int.Parse(placement.PodIp.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture) >= 10, placement.PodIp);
                Assert.Contains($"inet {placement.PodIp}/24", await ExecAsync(client, "web", "ip", "-4", "-o", "addr", "show", "eth0"), StringComparison.Ordinal);
                Assert.Contains("nameserver 10.43.0.10", await ExecAsync(client, "web", "cat", "/etc/resolv.conf"), StringComparison.Ordinal);
                // Across nodes over the lab's real VXLAN: the CoreDNS pod on the server answers a ping.
                string coreDns = objects.Pods.Select(p => (string?)p["status"]?["podIP"]).First(ip => ip is not null)!;
                Assert.Contains("1 packets received", await ExecAsync(client, "web", "busybox", "ping", "-c", "1", "-W", "5", coreDns), StringComparison.Ordinal);

                string netns = Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).Single(n => n!.StartsWith(agent1.Namespace + "-p", StringComparison.Ordinal)
                    && !LabPodNamespaces(lab.Folder).Contains(n))!;
                await runtime.StopPodAsync(web.Uid);
                Assert.False(File.Exists(Path.Combine("/run/netns", netns)), $"{netns} is left after the pod stopped");
            }

            // The emulator stopped its kubelet: nothing it started runs on the lab's nodes any more.
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(runtime.Marker)));
        }

        [LabFact]
        public async Task A_pod_created_through_the_api_runs_on_its_lab_node_resolves_cluster_names_and_goes_with_its_namespace()
        {
            await using LabHost lab = await LabHost.StartAsync();
            LabDescription description = LabDescription.Load(Path.Combine(lab.Folder, "lab.json"));
            ClusterObjects objects = ClusterObjects.Load(Path.Combine(lab.Folder, "nodes.json"), Path.Combine(lab.Folder, "pods.json"), Path.Combine(lab.Folder, "services.json"));
            IReadOnlyDictionary<string, string> internalIps = PodSpecReader.InternalIps(objects.Nodes);
            var runtime = new LabContainerRuntime(description);
            string kubeconfig = Path.Combine(lab.Folder, "api-test-kubeconfig.yaml");
            const string Ns = "k3snet-e2e";
            await using (var emulator = new KubeApiEmulator(objects, EmulatorCluster.Token) { Runtime = runtime })
            {
                // As Program does: the kubelet's exec and log over the pods the API stores.
                emulator.Kubelet = new KubeletEndpoints(emulator.Pods, runtime, n => internalIps.GetValueOrDefault(n));
                await emulator.StartAsync(IPAddress.Loopback);
                emulator.WriteKubeconfig(kubeconfig);
                using k8s.Kubernetes client = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
                LabNode agent2 = description.Nodes.Single(n => n.Name == "k3s-agent-2");

                await KubeApiTestPods.NamespaceAsync(client, Ns);
                await client.CoreV1.CreateNamespacedPodAsync(KubeApiTestPods.Pod("dns", agent2.Name), Ns);
                k8s.Models.V1Pod running = await KubeApiTestPods.UntilPodAsync(client, Ns, "dns", p => p.Status?.Phase == "Running", "the pod Running");
                Assert.StartsWith("10.42.2.", running.Status.PodIP, StringComparison.Ordinal);
                Assert.Equal(agent2.HostIp, running.Status.HostIP);

                // The pod's own view: its address, and the cluster DNS Service (kube-proxy's DNAT to CoreDNS on the server,
                // across the lab's kernel VXLAN) answering for the kubernetes Service.
                Assert.Contains($"inet {running.Status.PodIP}/24", await ExecInAsync(client, Ns, "dns", "probe", "ip", "-4", "-o", "addr", "show", "eth0"), StringComparison.Ordinal);
                string answer = await ExecInAsync(client, Ns, "dns", "probe", "busybox", "nslookup", "kubernetes.default.svc.cluster.local", "10.43.0.10");
                Assert.Matches(@"Address:\s+10\.43\.0\.1\s", answer);

                string netns = Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).Single(n => n!.StartsWith(agent2.Namespace + "-p", StringComparison.Ordinal)
                    && !LabPodNamespaces(lab.Folder).Contains(n))!;
                await client.CoreV1.DeleteNamespaceAsync(Ns);
                await KubeApiTestPods.UntilGoneAsync(client, Ns, "dns");
                await KubeApiTestPods.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine("/run/netns", netns))), exists => !exists, $"{netns} removed with its namespace");
            }

            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(runtime.Marker)));
        }

        private static Task<string> ExecAsync(k8s.Kubernetes client, string pod, params string[] command) => ExecInAsync(client, "default", pod, "main", command);

        private static async Task<string> ExecInAsync(k8s.Kubernetes client, string ns, string pod, string container, params string[] command)
        {
            string stdout = string.Empty, stderr = string.Empty;
            int exit = await client.NamespacedPodExecAsync(pod, ns, container, command, false, async (_, output, error) =>
            {
                Task<string> o = new StreamReader(output).ReadToEndAsync();
                Task<string> e = new StreamReader(error).ReadToEndAsync();
                (stdout, stderr) = (await o, await e);
            }, CancellationToken.None).WaitAsync(Patience);
            Assert.True(exit == 0, $"{string.Join(' ', command)} in {pod} exited {exit}: {stderr}");
            return stdout;
        }

        private static IReadOnlyList<string> LabPodNamespaces(string folder) =>
            System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "lab.json")))!["Pods"]!.AsArray()
                .Select(p => (string?)p!["NetNamespace"] ?? string.Empty).ToArray();

        private static string Link(string path) => new FileInfo(path).LinkTarget ?? throw new InvalidOperationException($"{path} is not a link");
    }

    /// <summary>
    /// A lab built and held by a child `dotnet pwsh`: the lab's node inits live on pipes that process holds, so the lab
    /// ends when it is told to (a line on its stdin) or when this test process dies (EOF), whichever comes first.
    /// </summary>
    internal sealed class LabHost : IAsyncDisposable
    {
        private const string Script = """
            $ErrorActionPreference = 'Stop'
            Import-Module ./tests/Lab/K3sNetLab.psm1 -Force
            $reason = Test-K3sNetLabSupport
            if ($reason) { "NOLAB $reason"; exit 3 }
            $lab = New-K3sNetLab -NodeCount 3 -NodeName k3s-server, k3s-agent-1, k3s-agent-2
            try { "LAB $($lab.Path)"; $null = [Console]::In.ReadLine() }
            finally { Remove-K3sNetLab -Lab $lab }
            'REMOVED'
            """;

        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private LabHost(Process process, string folder)
        {
            _process = process;
            Folder = folder;
        }

        public string Folder { get; }

        public static async Task<LabHost> StartAsync()
        {
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = HelpTestFiles.RepositoryRoot(),
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", Script })
            {
                info.ArgumentList.Add(arg);
            }

            Process process = Process.Start(info)!;
            Task<string> errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is string line)
            {
                if (line.StartsWith("LAB ", StringComparison.Ordinal))
                {
                    return new LabHost(process, line.Substring(4));
                }

                if (line.StartsWith("NOLAB ", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"The lab cannot be built here: {line.Substring(6)}");
                }
            }

            await process.WaitForExitAsync();
            throw new InvalidOperationException($"The lab did not start (exit {process.ExitCode}): {await errors}");
        }

        public async ValueTask DisposeAsync()
        {
            await _process.StandardInput.WriteLineAsync();
            _process.StandardInput.Close();
            string rest = await _process.StandardOutput.ReadToEndAsync();
            await _process.WaitForExitAsync();
            _process.Dispose();
            Assert.Contains("REMOVED", rest, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A test that needs the network-namespace lab: skipped with the reason where the lab cannot run (not root, a tool
    /// missing), but run (and failed if the lab cannot be built) under CI=true as root, as Test-K3sNetLabRequired says.
    /// </summary>
    internal sealed class LabFactAttribute : FactAttribute
    {
        public LabFactAttribute()
        {
            if (Reason() is string reason && !Required)
            {
                Skip = reason;
            }
        }

        private static bool Required =>
            OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess
            && (Environment.GetEnvironmentVariable("CI") ?? string.Empty).ToLowerInvariant() is "true" or "1";

        private static string? Reason()
        {
            if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
            {
                return "the lab needs root on Linux (network namespaces)";
            }

            string[] path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(new[] { "/usr/sbin", "/usr/bin", "/sbin" }).ToArray();
            foreach (string tool in new[] { "ip", "bridge", "nft", "nsenter", "unshare", "busybox", "dnsmasq" })
            {
                if (!path.Any(dir => File.Exists(Path.Combine(dir, tool))))
                {
                    return $"the lab needs '{tool}' (iproute2, nftables, util-linux, busybox, dnsmasq-base)";
                }
            }

            return null;
        }
    }
}
