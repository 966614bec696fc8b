using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The isolated runtime on its own: pods run in namespaces of their own (never the machine's), and every process it
    /// started ends at StopPodAsync and at DisposeAsync, with nothing left on the machine.
    /// </summary>
    public sealed class IsolatedRuntimeTests
    {
        private static readonly string[] NoArgs = Array.Empty<string>();

        [IsolatedFact]
        public async Task A_pod_runs_in_its_own_network_and_pid_namespaces_with_its_pod_ip()
        {
            await using var runtime = new IsolatedContainerRuntime();
            PodLaunch pod = KubeletCluster.Pod("own", "node-a", hostNetwork: false);

            PodPlacement placement = await runtime.StartPodAsync(pod, CancellationToken.None);

            Assert.StartsWith("10.244.0.", placement.PodIp, StringComparison.Ordinal);
            Assert.Equal("10.255.0.10", placement.HostIp);
            string net = await ExecAsync(runtime, pod, "readlink", "/proc/self/ns/net");
            string pid = await ExecAsync(runtime, pod, "readlink", "/proc/self/ns/pid");
            Assert.NotEqual(Link("/proc/self/ns/net"), net);
            Assert.NotEqual(Link("/proc/self/ns/pid"), pid);
            Assert.NotEqual(Link($"/proc/{runtime.NodeInitPid("node-a")}/ns/net"), net);
            Assert.Contains($"inet {placement.PodIp}/24", await ExecAsync(runtime, pod, "ip", "-4", "-o", "addr", "show", "eth0"), StringComparison.Ordinal);
            // PID 1 of the pod's own PID namespace is its pause, not the machine's init.
            Assert.Equal("bash -c read _", (await ExecAsync(runtime, pod, "cat", "/proc/1/cmdline")).Replace('\0', ' ').Trim());
        }

        [IsolatedFact]
        public async Task A_host_network_pod_shares_its_nodes_namespace_which_is_not_the_machines()
        {
            await using var runtime = new IsolatedContainerRuntime(new Dictionary<string, string> { ["node-b"] = "10.0.1.22" });
            PodLaunch pod = KubeletCluster.Pod("host", "node-b", hostNetwork: true) with { HostPid = true };

            PodPlacement placement = await runtime.StartPodAsync(pod, CancellationToken.None);

            Assert.Equal(new PodPlacement("10.0.1.22", "10.0.1.22"), placement);
            int init = runtime.NodeInitPid("node-b")!.Value;
            Assert.Equal(Link($"/proc/{init}/ns/net"), await ExecAsync(runtime, pod, "readlink", "/proc/self/ns/net"));
            Assert.Equal(Link($"/proc/{init}/ns/pid"), await ExecAsync(runtime, pod, "readlink", "/proc/self/ns/pid"));
            Assert.NotEqual(Link("/proc/self/ns/net"), Link($"/proc/{init}/ns/net"));
            Assert.NotEqual(Link("/proc/self/ns/pid"), Link($"/proc/{init}/ns/pid"));
            Assert.Contains("inet 10.0.1.22/24", await ExecAsync(runtime, pod, "ip", "-4", "-o", "addr", "show", "eth0"), StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task A_pods_processes_end_at_StopPodAsync()
        {
            await using var runtime = new IsolatedContainerRuntime();
            string unique = "4242." + Environment.ProcessId;
            PodLaunch pod = KubeletCluster.Pod("stopped", "node-a", hostNetwork: false, "sleep", unique);
            await runtime.StartPodAsync(pod, CancellationToken.None);
            await WaitUntilAsync(() => MachineProcesses.WithCommandLine("sleep", unique).Count == 1);
            Assert.True(runtime.GetState(pod.Uid, "main")!.Running);

            await runtime.StopPodAsync(pod.Uid);

            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sleep", unique)));
            Assert.Null(runtime.GetState(pod.Uid, "main"));
            var refused = await Assert.ThrowsAsync<ContainerRuntimeException>(() => ExecAsync(runtime, pod, "true"));
            Assert.Equal("container not found (\"main\")", refused.Message);
        }

        [IsolatedFact]
        public async Task DisposeAsync_ends_every_process_the_runtime_started_and_leaves_none()
        {
            var runtime = new IsolatedContainerRuntime();
            await runtime.StartPodAsync(KubeletCluster.Pod("one", "node-a", hostNetwork: false), CancellationToken.None);
            await runtime.StartPodAsync(KubeletCluster.Pod("two", "node-b", hostNetwork: true), CancellationToken.None);
            await runtime.StartPodAsync(KubeletCluster.Pod("three", "node-b", hostNetwork: false, "sh", "-c", "sleep 1000 & sleep 1001"), CancellationToken.None);
            Assert.NotEmpty(MachineProcesses.WithEnvironment(runtime.Marker));

            await runtime.DisposeAsync();

            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(runtime.Marker)));
        }

        [IsolatedFact]
        public async Task A_container_that_exits_reports_its_exit_code_and_its_output_as_the_log()
        {
            await using var runtime = new IsolatedContainerRuntime();
            PodLaunch pod = KubeletCluster.Pod("job", "node-a", hostNetwork: false, "sh", "-c", "echo done; exit 7");

            await runtime.StartPodAsync(pod, CancellationToken.None);

            await WaitUntilAsync(() => runtime.GetState(pod.Uid, "main") is { Running: false });
            Assert.Equal(7, runtime.GetState(pod.Uid, "main")!.ExitCode);
            await WaitUntilAsync(() => runtime.ReadLog(pod.Uid, "main") == "done\n");
        }

        [IsolatedFact]
        public async Task A_host_path_volume_is_bound_in_the_pod_only()
        {
            string source = Path.Combine(Path.GetTempPath(), "k3snet-hostpath-" + Guid.NewGuid().ToString("N"));
            string target = Path.Combine(Path.GetTempPath(), "k3snet-mount-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(source);
            File.WriteAllText(Path.Combine(source, "marker"), "from the node");
            try
            {
                await using var runtime = new IsolatedContainerRuntime();
                var container = new ContainerLaunch("main", "busybox", NoArgs, NoArgs, true, new[] { new HostPathMount(source, target, ReadOnly: true) });
                PodLaunch pod = KubeletCluster.Pod("mounts", "node-a", hostNetwork: false) with { Containers = new[] { container } };

                await runtime.StartPodAsync(pod, CancellationToken.None);

                Assert.Equal("from the node", await ExecAsync(runtime, pod, "cat", Path.Combine(target, "marker")));
                Assert.False(File.Exists(Path.Combine(target, "marker")));
                await runtime.StopPodAsync(pod.Uid);
                Assert.False(Directory.Exists(target));
            }
            finally
            {
                Directory.Delete(source, recursive: true);
            }
        }

        private static async Task<string> ExecAsync(IContainerRuntime runtime, PodLaunch pod, params string[] command)
        {
            using var stdout = new MemoryStream();
            using var stderr = new MemoryStream();
            int exit = await runtime.ExecAsync(pod.Uid, "main", command, null, stdout, stderr, false, CancellationToken.None);
            Assert.True(exit == 0, $"{string.Join(' ', command)} exited {exit}: {Encoding.UTF8.GetString(stderr.ToArray())}");
            return Encoding.UTF8.GetString(stdout.ToArray()).Trim();
        }

        private static string Link(string path) => new FileInfo(path).LinkTarget ?? throw new InvalidOperationException($"{path} is not a link");

        private static async Task WaitUntilAsync(Func<bool> condition)
        {
            for (int i = 0; i < 600 && !condition(); i++)
            {
                await Task.Delay(50);
            }

            Assert.True(condition(), "the condition did not hold within 30 s");
        }
    }
}
