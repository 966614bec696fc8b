using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The kubelet's container runtime behind the emulator: it runs a pod's containers as processes on a lab node
    /// (never on the machine itself), gives the pod its network, and execs and reads logs in it. The API side
    /// (pods, DaemonSets, status) decides what to run and when; the runtime only runs it.
    /// </summary>
    public interface IContainerRuntime : IAsyncDisposable
    {
        /// <summary>True when this runtime can run pods on the node (a lab node, or any node for an isolated runtime).</summary>
        bool CanRun(string nodeName);

        /// <summary>
        /// Starts every container of the pod on its node and returns where it runs. Throws
        /// <see cref="ContainerRuntimeException"/> (with the kubelet's reason) when it cannot.
        /// </summary>
        Task<PodPlacement> StartPodAsync(PodLaunch pod, CancellationToken cancellationToken);

        /// <summary>What a container is doing now; null when the pod or the container is unknown.</summary>
        ContainerState? GetState(string podUid, string containerName);

        /// <summary>Ends every process of the pod and removes its network. Idempotent.</summary>
        Task StopPodAsync(string podUid);

        /// <summary>
        /// Runs a command in a running container, copying <paramref name="stdin"/> (null: none) in and the output out,
        /// and returns its exit code. Throws <see cref="ContainerRuntimeException"/> when the container is not running.
        /// </summary>
        Task<int> ExecAsync(string podUid, string containerName, IReadOnlyList<string> command, Stream? stdin, Stream stdout, Stream stderr, bool tty, CancellationToken cancellationToken);

        /// <summary>What the container has written to stdout and stderr so far (the pod log); empty when it wrote nothing.</summary>
        string ReadLog(string podUid, string containerName);
    }

    /// <summary>One pod as the kubelet reads it from its spec.</summary>
    public sealed record PodLaunch(
        string Uid,
        string Namespace,
        string Name,
        string NodeName,
        bool HostNetwork,
        bool HostPid,
        IReadOnlyList<ContainerLaunch> Containers);

    /// <summary>One container: its command (the image's entrypoint is not known: a container without one runs `sleep infinity`).</summary>
    public sealed record ContainerLaunch(
        string Name,
        string Image,
        IReadOnlyList<string> Command,
        IReadOnlyList<string> Args,
        bool Privileged,
        IReadOnlyList<HostPathMount> Mounts);

    /// <summary>A hostPath volume mounted into a container.</summary>
    public sealed record HostPathMount(string HostPath, string MountPath, bool ReadOnly);

    /// <summary>Where a started pod runs: its podIP (the node's address for a hostNetwork pod) and the node's hostIP.</summary>
    public sealed record PodPlacement(string PodIp, string HostIp);

    /// <summary>A container's state as status.containerStatuses reports it.</summary>
    public sealed record ContainerState(bool Running, int? ExitCode, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

    /// <summary>The runtime could not do what was asked; <see cref="Reason"/> is the kubelet's word for it (CreateContainerError, ...).</summary>
    public sealed class ContainerRuntimeException : Exception
    {
        public ContainerRuntimeException(string reason, string message)
            : base(message)
        {
            Reason = reason;
        }

        public string Reason { get; }
    }
}
