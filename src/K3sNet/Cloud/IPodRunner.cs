using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud
{
    /// <summary>
    /// Kubernetes as the engine that runs K3sNet's probes on every node: namespaces and pods of K3sNet's own, their
    /// state as the kubelet reports it, and exec into them. Implemented in K3sNet.Cloud with KubernetesClient; nothing of
    /// the library crosses this boundary. Failures surface as <see cref="ClusterRequestException"/> (403 with the verb
    /// and resource RBAC checked; a Pod Security refusal as <see cref="ClusterRequestFailure.Forbidden"/> with the
    /// admission message), cancellation as <see cref="OperationCanceledException"/>.
    /// </summary>
    internal interface IPodRunner : IDisposable
    {
        /// <summary>The API server the kubeconfig points at.</summary>
        Uri Server { get; }

        /// <summary>The kubeconfig context in use.</summary>
        string Context { get; }

        /// <summary>How many requests this client has sent to the API server (exec and watch count one each), for the benchmark and the tests' counts.</summary>
        int RequestCount { get; }

        /// <summary>Every node, as IClusterSource.ListNodesAsync reads them (with the images each node holds).</summary>
        Task<IReadOnlyList<NodeFacts>> ListNodesAsync(CancellationToken cancellationToken);

        Task CreateNamespaceAsync(ProbeNamespaceSpec spec, CancellationToken cancellationToken);

        /// <summary>Namespaces matching a label selector (K3sNet's own, to find leftovers).</summary>
        Task<IReadOnlyList<ProbeNamespaceInfo>> ListNamespacesAsync(string labelSelector, CancellationToken cancellationToken);

        /// <summary>Deletes a namespace and so everything in it (foreground is not waited for); a namespace already gone is no error.</summary>
        Task DeleteNamespaceAsync(string name, CancellationToken cancellationToken);

        Task CreatePodAsync(ProbePodSpec spec, CancellationToken cancellationToken);

        /// <summary>Pods of a namespace matching a label selector (null: all).</summary>
        Task<IReadOnlyList<ProbePodStatus>> ListPodsAsync(string @namespace, string? labelSelector, CancellationToken cancellationToken);

        /// <summary>
        /// The pods of a namespace as they change: first each existing one, then every change, until the token ends it
        /// (one watch request; a watch the server closes is resumed from the last resourceVersion).
        /// </summary>
        IAsyncEnumerable<ProbePodStatus> WatchPodsAsync(string @namespace, string? labelSelector, CancellationToken cancellationToken);

        /// <summary>
        /// Starts a command in a pod's container over the exec WebSocket, offering v5.channel.k8s.io and falling back to
        /// v4 for an API server older than 1.30. The session's streams stay open until the command ends or it is disposed.
        /// </summary>
        Task<IExecSession> ExecAsync(string @namespace, string pod, string container, IReadOnlyList<string> command, CancellationToken cancellationToken);

        /// <summary>A service's cluster IP and ports (kube-dns in kube-system, kubernetes in default); null when there is none.</summary>
        Task<ClusterServiceInfo?> ReadServiceAsync(string @namespace, string name, CancellationToken cancellationToken);

        /// <summary>Pods of any namespace by label (CoreDNS: kube-system, k8s-app=kube-dns), with their addresses.</summary>
        Task<IReadOnlyList<ProbePodStatus>> ListPodsByLabelAsync(string @namespace, string labelSelector, CancellationToken cancellationToken);
    }

    /// <summary>A namespace to create: its name, labels and annotations (owner, start time, the Pod Security level it needs).</summary>
    internal sealed record ProbeNamespaceSpec(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

    /// <summary>A namespace as listed: name, labels, annotations, when it was made, and whether it is already going (Terminating).</summary>
    internal sealed record ProbeNamespaceInfo(
        string Name,
        IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations,
        DateTimeOffset? Created,
        bool Terminating);

    /// <summary>A hostPath volume mounted into the probe container.</summary>
    internal sealed record HostPathMount(string HostPath, string MountPath, bool ReadOnly = true);

    /// <summary>
    /// One probe pod: pinned to a node by <see cref="NodeName"/> (no scheduler), one container named
    /// <see cref="ContainerName"/>, restartPolicy Never, terminationGracePeriodSeconds 0, imagePullPolicy IfNotPresent.
    /// </summary>
    internal sealed record ProbePodSpec
    {
        public const string ContainerName = "probe";

        public required string Name { get; init; }

        public required string Namespace { get; init; }

        public required string NodeName { get; init; }

        public required string Image { get; init; }

        public required IReadOnlyList<string> Command { get; init; }

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

        public bool HostNetwork { get; init; }

        public bool HostPid { get; init; }

        public bool Privileged { get; init; }

        /// <summary>Capabilities to add (NET_RAW for ping on the pod network).</summary>
        public IReadOnlyList<string> AddCapabilities { get; init; } = Array.Empty<string>();

        public IReadOnlyList<HostPathMount> HostPaths { get; init; } = Array.Empty<HostPathMount>();

        /// <summary>Tolerate every taint (operator Exists), as kubectl debug node does: a probe must reach tainted servers too.</summary>
        public bool TolerateEverything { get; init; } = true;

        /// <summary>The kubelet ends the pod after this long even if K3sNet never comes back (a killed run).</summary>
        public int? ActiveDeadlineSeconds { get; init; }
    }

    /// <summary>A pod as the API reports it, reduced to what tells a probe that runs from one that cannot.</summary>
    internal sealed record ProbePodStatus
    {
        public required string Name { get; init; }

        public string? Namespace { get; init; }

        public string? NodeName { get; init; }

        /// <summary>Pending, Running, Succeeded, Failed, Unknown.</summary>
        public string? Phase { get; init; }

        public string? PodIP { get; init; }

        public string? HostIP { get; init; }

        /// <summary>The Ready condition.</summary>
        public bool Ready { get; init; }

        /// <summary>The container's waiting reason and message (ErrImagePull, ImagePullBackOff, CreateContainerError...).</summary>
        public string? WaitingReason { get; init; }

        public string? WaitingMessage { get; init; }

        /// <summary>The container's terminated reason, message and exit code.</summary>
        public string? TerminatedReason { get; init; }

        public string? TerminatedMessage { get; init; }

        public int? ExitCode { get; init; }

        /// <summary>PodScheduled=False's reason and message (Unschedulable: "0/3 nodes are available: ...").</summary>
        public string? UnschedulableReason { get; init; }

        public string? UnschedulableMessage { get; init; }

        /// <summary>The pod's own status reason and message (DeadlineExceeded, Evicted).</summary>
        public string? Reason { get; init; }

        public string? Message { get; init; }

        /// <summary>A watch event said the pod is gone.</summary>
        public bool Deleted { get; init; }

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>A running exec: its standard streams while it runs, then its exit code from the error channel.</summary>
    internal interface IExecSession : IAsyncDisposable
    {
        /// <summary>The exec subprotocol the server chose (v5.channel.k8s.io or v4.channel.k8s.io).</summary>
        string Protocol { get; }

        /// <summary>Writes go to the command's stdin.</summary>
        System.IO.Stream StandardInput { get; }

        System.IO.Stream StandardOutput { get; }

        System.IO.Stream StandardError { get; }

        /// <summary>Closes stdin where the protocol can (v5); false on v4, where only the command itself can end.</summary>
        bool TryCloseStandardInput();

        /// <summary>
        /// The exit code once the command ends (channel 3: Success 0, NonZeroExitCode its number); a failure status (the
        /// kubelet refused or the container is gone) throws ClusterRequestException with the API's message.
        /// </summary>
        Task<int> ExitCode { get; }
    }

    /// <summary>A service's cluster IP and its ports (name, protocol, port).</summary>
    internal sealed record ClusterServiceInfo(string Name, string Namespace, string? ClusterIP, IReadOnlyList<(string? Name, string Protocol, int Port)> Ports);
}
