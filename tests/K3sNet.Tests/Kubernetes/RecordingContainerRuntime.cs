using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// A container runtime for tests of the emulator's API side: it runs no process; it records every start and stop,
    /// hands out pod IPs from the node's podCIDR (the node's address for a hostNetwork pod), and reports each
    /// container running until the test makes it exit. Nodes it cannot run and pods it refuses are the test's choice.
    /// </summary>
    internal sealed class RecordingContainerRuntime : IContainerRuntime
    {
        private readonly Dictionary<string, (string HostIp, string PodPrefix)> _nodes;
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ContainerState>> _running = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<PodLaunch> _started = new();
        private readonly ConcurrentQueue<string> _stopped = new();
        private int _nextHost = 10;

        public RecordingContainerRuntime()
        {
            _nodes = ClusterObjects.ReadList(EmulatorCluster.FixturePath("nodes.json"), "NodeList").ToDictionary(
                n => ClusterObjects.NameOf(n)!,
                n => (
                    (n["status"]!["addresses"] as JsonArray)!.OfType<JsonObject>().First(a => (string?)a["type"] == "InternalIP")["address"]!.GetValue<string>(),
                    string.Join('.', ((string)n["spec"]!["podCIDR"]!).Split('.').Take(3))));
        }

        /// <summary>Nodes this runtime cannot run pods on (as a node outside the lab).</summary>
        public HashSet<string> NodesItCannotRun { get; } = new(StringComparer.Ordinal);

        /// <summary>Pod names whose start fails with CreateContainerError.</summary>
        public HashSet<string> PodsItRefuses { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<PodLaunch> Started => _started.ToArray();

        public IReadOnlyList<string> Stopped => _stopped.ToArray();

        /// <summary>The uids of the pods running now.</summary>
        public IReadOnlyCollection<string> Running => _running.Keys.ToArray();

        public bool CanRun(string nodeName) => _nodes.ContainsKey(nodeName) && !NodesItCannotRun.Contains(nodeName);

        public Task<PodPlacement> StartPodAsync(PodLaunch pod, CancellationToken cancellationToken)
        {
            _started.Enqueue(pod);
            if (PodsItRefuses.Contains(pod.Name))
            {
                throw new ContainerRuntimeException("CreateContainerError", $"failed to create containerd task: exec: \"{pod.Containers[0].Command.FirstOrDefault()}\": executable file not found in $PATH");
            }

            (string hostIp, string prefix) = _nodes[pod.NodeName];
            DateTimeOffset now = DateTimeOffset.UtcNow;
            _running[pod.Uid] = new ConcurrentDictionary<string, ContainerState>(
                pod.Containers.ToDictionary(c => c.Name, _ => new ContainerState(true, null, now, null)), StringComparer.Ordinal);
            string podIp = pod.HostNetwork ? hostIp : $"{prefix}.{Interlocked.Increment(ref _nextHost)}";
            return Task.FromResult(new PodPlacement(podIp, hostIp));
        }

        /// <summary>Makes a container of a running pod exit with <paramref name="exitCode"/>, as its process would.</summary>
        public void Exit(string podUid, string container, int exitCode)
        {
            ContainerState was = _running[podUid][container];
            _running[podUid][container] = was with { Running = false, ExitCode = exitCode, FinishedAt = DateTimeOffset.UtcNow };
        }

        public ContainerState? GetState(string podUid, string containerName) =>
            _running.TryGetValue(podUid, out var containers) && containers.TryGetValue(containerName, out ContainerState? state) ? state : null;

        /// <summary>While set, every stop waits for it: a pod that takes its time to end.</summary>
        public TaskCompletionSource? HoldStops { get; set; }

        public async Task StopPodAsync(string podUid)
        {
            if (HoldStops is TaskCompletionSource hold)
            {
                await hold.Task;
            }

            _stopped.Enqueue(podUid);
            _running.TryRemove(podUid, out _);
        }

        public Task<int> ExecAsync(string podUid, string containerName, IReadOnlyList<string> command, Stream? stdin, Stream stdout, Stream stderr, bool tty, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The recording runtime runs no processes.");

        public string ReadLog(string podUid, string containerName) => string.Empty;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
