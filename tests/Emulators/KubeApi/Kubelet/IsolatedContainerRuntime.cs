using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// A runtime for tests without a lab: every node is a set of fresh namespaces (network, PID, mount) made by
    /// `unshare`, with lo and an eth0 holding the node's address; a pod gets its own network namespace (lo, a
    /// veth eth0 with an address from the node's made-up podCIDR 10.244.N.0/24) unless hostNetwork. Nothing runs in
    /// the machine's own namespaces, and nothing is routed anywhere. A node's PID 1 reads a pipe from this process:
    /// when the emulator ends, however it ends, every process of the node ends with it.
    /// </summary>
    public sealed class IsolatedContainerRuntime : NamespaceContainerRuntime
    {
        private static readonly Lazy<string?> Unsupported = new(FindUnsupportedReason);
        private readonly IReadOnlyDictionary<string, string> _hostIps;
        private readonly ConcurrentDictionary<string, IsolatedNode> _nodes = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _nodeLock = new(1, 1);
        private readonly HashSet<string> _usedPodIps = new(StringComparer.Ordinal);

        /// <param name="hostIps">Each node's address (its InternalIP) by name; a node not named gets 10.255.N.10.</param>
        public IsolatedContainerRuntime(IReadOnlyDictionary<string, string>? hostIps = null)
        {
            _hostIps = hostIps ?? new Dictionary<string, string>();
        }

        /// <summary>Null when this machine can run isolated pods (root, unshare, nsenter, ip); otherwise why not.</summary>
        public static string? UnavailableReason => Unsupported.Value;

        public override bool CanRun(string nodeName) => UnavailableReason is null && !string.IsNullOrEmpty(nodeName);

        /// <summary>The host PID of a node's PID 1 once a pod has run there (tests compare namespaces with it).</summary>
        public int? NodeInitPid(string nodeName) => _nodes.TryGetValue(nodeName, out IsolatedNode? node) ? node.InitPid : null;

        protected override async Task<SandboxPlan> PrepareSandboxAsync(PodLaunch pod, CancellationToken cancellationToken)
        {
            if (UnavailableReason is string reason)
            {
                throw new ContainerRuntimeException("CreatePodSandboxError", reason);
            }

            IsolatedNode node = await NodeAsync(pod.NodeName, cancellationToken).ConfigureAwait(false);
            string init = node.InitPid.ToString(CultureInfo.InvariantCulture);
            if (pod.HostNetwork)
            {
                return new SandboxPlan(
                    new[] { "nsenter", "-t", init, "-p", "-m", "-n", "--wd=/", "--" }.Concat(PodNamespaces(pod, ownNetwork: false)).Concat(PauseCommand).ToArray(),
                    node.HostIp, node.HostIp, null);
            }

            string podIp = AllocatePodIp(node);
            return new SandboxPlan(
                new[] { "nsenter", "-t", init, "-p", "-m", "--wd=/", "--" }.Concat(PodNamespaces(pod, ownNetwork: true)).Concat(PauseCommand).ToArray(),
                podIp, node.HostIp, null);
        }

        protected override async Task ConfigureSandboxAsync(PodLaunch pod, SandboxPlan plan, int pausePid, CancellationToken cancellationToken)
        {
            if (!pod.HostNetwork)
            {
                await ConfigureInterfaceAsync(pausePid, plan.PodIp, cancellationToken).ConfigureAwait(false);
            }
        }

        protected override Task ReleaseSandboxAsync(PodLaunch pod, SandboxPlan plan)
        {
            if (!pod.HostNetwork)
            {
                lock (_usedPodIps)
                {
                    _usedPodIps.Remove(plan.PodIp);
                }
            }

            return Task.CompletedTask;
        }

        protected override async ValueTask DisposeNodesAsync()
        {
            foreach (IsolatedNode node in _nodes.Values)
            {
                // EOF on its stdin ends the node's PID 1, and the kernel ends its PID namespace; kill in case it hangs.
                try
                {
                    node.Init.StandardInput.Close();
                }
                catch (IOException)
                {
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await node.Init.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    HostProcesses.KillTree(node.Init.Id);
                    await node.Init.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                node.Init.Dispose();
            }

            _nodes.Clear();
        }

        private async Task<IsolatedNode> NodeAsync(string name, CancellationToken cancellationToken)
        {
            if (_nodes.TryGetValue(name, out IsolatedNode? node))
            {
                return node;
            }

            await _nodeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_nodes.TryGetValue(name, out node))
                {
                    return node;
                }

                int index = _nodes.Count;
                string hostIp = _hostIps.TryGetValue(name, out string? known) ? known : $"10.255.{index}.10";
                // `cat` as the node's PID 1, reading a pipe only this process holds: its EOF is the node's end.
                Process init = Start(new[] { "unshare", "--net", "--pid", "--mount", "--fork", "--kill-child", "--mount-proc", "--propagation", "slave", "--", "cat" }, null);
                _ = init.StandardOutput.ReadToEndAsync(CancellationToken.None);
                Task<string> errors = init.StandardError.ReadToEndAsync(CancellationToken.None);
                int? initPid = await HostProcesses.FindDescendantAsync(init.Id, new[] { "cat" }, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                if (initPid is null || initPid == init.Id)
                {
                    HostProcesses.KillTree(init.Id);
                    string why = errors.IsCompleted ? (await errors.ConfigureAwait(false)).Trim() : "it did not start in time";
                    init.Dispose();
                    throw new ContainerRuntimeException("CreatePodSandboxError", $"could not make namespaces for node \"{name}\": {why}");
                }

                node = new IsolatedNode(init, initPid.Value, hostIp, index);
                _nodes[name] = node;
                await ConfigureInterfaceAsync(initPid.Value, hostIp, cancellationToken).ConfigureAwait(false);
                return node;
            }
            finally
            {
                _nodeLock.Release();
            }
        }

        /// <summary>
        /// lo up and eth0 with the address (a /24) and a default route through it: one end of a veth pair whose other
        /// end (eth0p) stays in the same namespace, so nothing leaves it (a dummy device would do, but kernels of
        /// containers often lack its module; veth the lab needs anyway).
        /// </summary>
        private async Task ConfigureInterfaceAsync(int pid, string address, CancellationToken cancellationToken)
        {
            string target = pid.ToString(CultureInfo.InvariantCulture);
            const string Script = "ip link set lo up && ip link add eth0 type veth peer name eth0p && ip link set eth0p up && ip addr add \"$1/24\" dev eth0 && ip link set eth0 up && ip route add default dev eth0";
            await RunAsync(new[] { "nsenter", "-t", target, "-n", "--", "sh", "-c", Script, "sh", address }, "CreatePodSandboxError", cancellationToken).ConfigureAwait(false);
        }

        private string AllocatePodIp(IsolatedNode node)
        {
            lock (_usedPodIps)
            {
                for (int host = 10; host < 255; host++)
                {
                    string ip = $"10.244.{node.Index}.{host}";
                    if (_usedPodIps.Add(ip))
                    {
                        return ip;
                    }
                }
            }

            throw new ContainerRuntimeException("CreatePodSandboxError", $"no pod IP left in 10.244.{node.Index}.0/24");
        }

        private static string? FindUnsupportedReason()
        {
            if (!OperatingSystem.IsLinux())
            {
                return "isolated pods need Linux namespaces";
            }

            if (!Environment.IsPrivilegedProcess)
            {
                return "isolated pods need root (unshare --net --pid --mount)";
            }

            string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':');
            foreach (string tool in new[] { "unshare", "nsenter", "ip", "sleep", "cat", "sh" })
            {
                if (!path.Concat(new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }).Any(dir => File.Exists(Path.Combine(dir, tool))))
                {
                    return $"isolated pods need '{tool}' (util-linux, iproute2, coreutils)";
                }
            }

            return null;
        }

        private sealed record IsolatedNode(Process Init, int InitPid, string HostIp, int Index);
    }
}
