using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.ClusterProbes
{
    /// <summary>
    /// An in-process IPodRunner for the fleet's pure logic: records every call (and the token it came with), answers
    /// each created pod with the statuses a test scripted for its node, and runs exec as a scripted answer.
    /// </summary>
    internal sealed class FakePodRunner : IPodRunner
    {
        private readonly Channel<ProbePodStatus> _events = Channel.CreateUnbounded<ProbePodStatus>();
        private int _requests;
        private int _openSessions;

        public FakePodRunner(params NodeFacts[] nodes) => Nodes = nodes;

        public IReadOnlyList<NodeFacts> Nodes { get; }

        public Uri Server { get; } = new("https://127.0.0.1:6443");

        public string Context => "fake";

        public int RequestCount => _requests;

        public ConcurrentQueue<string> Calls { get; } = new();

        public ConcurrentQueue<ProbePodSpec> CreatedPods { get; } = new();

        public ProbeNamespaceSpec? CreatedNamespace { get; private set; }

        public List<ProbeNamespaceInfo> ExistingNamespaces { get; } = new();

        /// <summary>The namespaces deleted, with whether the token they came with was still live.</summary>
        public ConcurrentQueue<(string Name, bool TokenLive)> Deleted { get; } = new();

        /// <summary>What each node's pod reports after it is created; a node missing here reports Running and Ready.</summary>
        public Dictionary<string, ProbePodStatus[]> PodStatuses { get; } = new();

        /// <summary>Thrown by CreatePodAsync for the named node (or for every node under "*").</summary>
        public Dictionary<string, Exception> CreatePodFailures { get; } = new();

        public Exception? CreateNamespaceFailure { get; set; }

        /// <summary>Answers an exec: (node, command) → stdout and exit code, or an exception for a kubelet that refuses it.</summary>
        public Func<string, IReadOnlyList<string>, (string StandardOutput, int ExitCode)> Exec { get; set; } = (_, _) => (string.Empty, 0);

        /// <summary>The exec's error channel for the named node: a kubelet that refuses it ends the session with this.</summary>
        public Dictionary<string, Exception> ExecFailures { get; } = new();

        /// <summary>Exec runs a long-lived agent: its exit code comes only when K3sNet disposes the session.</summary>
        public bool ExecRunsUntilDisposed { get; set; }

        /// <summary>When set, exec sessions stay open until this completes (the throttle tests hold them).</summary>
        public TaskCompletionSource? HoldExec { get; set; }

        public int MaxOpenSessions { get; private set; }

        public ConcurrentQueue<(string Pod, IReadOnlyList<string> Command)> Execs { get; } = new();

        public Task<IReadOnlyList<NodeFacts>> ListNodesAsync(CancellationToken cancellationToken)
        {
            Count("list nodes");
            return Task.FromResult(Nodes);
        }

        public Task CreateNamespaceAsync(ProbeNamespaceSpec spec, CancellationToken cancellationToken)
        {
            Count("create namespaces");
            if (CreateNamespaceFailure is not null)
            {
                throw CreateNamespaceFailure;
            }

            CreatedNamespace = spec;
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ProbeNamespaceInfo>> ListNamespacesAsync(string labelSelector, CancellationToken cancellationToken)
        {
            Count("list namespaces");
            return Task.FromResult<IReadOnlyList<ProbeNamespaceInfo>>(ExistingNamespaces.ToList());
        }

        public Task DeleteNamespaceAsync(string name, CancellationToken cancellationToken)
        {
            Count("delete namespaces");
            Deleted.Enqueue((name, !cancellationToken.IsCancellationRequested));
            return Task.CompletedTask;
        }

        public async Task CreatePodAsync(ProbePodSpec spec, CancellationToken cancellationToken)
        {
            Count("create pods");
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            if (CreatePodFailures.TryGetValue(spec.NodeName, out Exception? failure) || CreatePodFailures.TryGetValue("*", out failure))
            {
                throw failure;
            }

            CreatedPods.Enqueue(spec);
            ProbePodStatus[] statuses = PodStatuses.TryGetValue(spec.NodeName, out ProbePodStatus[]? scripted)
                ? scripted
                : new[] { Status("Pending", waiting: "ContainerCreating"), Status("Running", ready: true) };
            foreach (ProbePodStatus status in statuses)
            {
                _events.Writer.TryWrite(status with { Name = spec.Name, Namespace = spec.Namespace, NodeName = spec.NodeName });
            }
        }

        public Task<IReadOnlyList<ProbePodStatus>> ListPodsAsync(string @namespace, string? labelSelector, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ProbePodStatus> WatchPodsAsync(string @namespace, string? labelSelector, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Count("watch pods");
            while (true)
            {
                yield return await _events.Reader.ReadAsync(cancellationToken);
            }
        }

        public async Task<IExecSession> ExecAsync(string @namespace, string pod, string container, IReadOnlyList<string> command, CancellationToken cancellationToken)
        {
            Count("create pods/exec");
            Execs.Enqueue((pod, command));
            string node = CreatedPods.Single(p => p.Name == pod).NodeName;
            (string stdout, int exitCode) = Exec(node, command);
            int open = Interlocked.Increment(ref _openSessions);
            lock (Execs)
            {
                MaxOpenSessions = Math.Max(MaxOpenSessions, open);
            }

            Task hold = HoldExec?.Task ?? Task.CompletedTask;
            await Task.Yield();
            var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (ExecFailures.TryGetValue(node, out Exception? failure))
            {
                exit.SetException(failure);
            }
            else if (!ExecRunsUntilDisposed)
            {
                _ = hold.ContinueWith(_ => exit.TrySetResult(exitCode), TaskScheduler.Default);
            }

            return new FakeExecSession(stdout, exit, () => Interlocked.Decrement(ref _openSessions));
        }

        public Task<ClusterServiceInfo?> ReadServiceAsync(string @namespace, string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProbePodStatus>> ListPodsByLabelAsync(string @namespace, string labelSelector, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public void Dispose()
        {
        }

        public static ProbePodStatus Status(string phase, bool ready = false, string? waiting = null, string? waitingMessage = null, string? reason = null, string? message = null) => new()
        {
            Name = string.Empty,
            Phase = phase,
            Ready = ready,
            PodIP = "10.0.0.1",
            WaitingReason = waiting,
            WaitingMessage = waitingMessage,
            Reason = reason,
            Message = message,
        };

        public static ClusterRequestException Forbidden(string verb, string resource, string? @namespace, string message) =>
            new(ClusterRequestFailure.Forbidden, new ClusterRequest(new Uri("https://127.0.0.1:6443"), verb, resource, @namespace), message, HttpStatusCode.Forbidden);

        public static NodeFacts Node(string name, params string[] images) => new()
        {
            Name = name,
            Images = images.Length > 0 ? images : new[] { "docker.io/rancher/mirrored-pause:3.6", "docker.io/rancher/mirrored-pause@sha256:036d575e82945c112ef84e4585caff3648322a2f9ed4c3a6ce409dd10abc4f34" },
        };

        private void Count(string call)
        {
            Interlocked.Increment(ref _requests);
            Calls.Enqueue(call);
        }

        private sealed class FakeExecSession : IExecSession
        {
            private readonly Action _closed;
            private readonly TaskCompletionSource<int> _exit;
            private int _disposed;

            public FakeExecSession(string stdout, TaskCompletionSource<int> exit, Action closed)
            {
                _closed = closed;
                _exit = exit;
                StandardOutput = new MemoryStream(Encoding.UTF8.GetBytes(stdout));
            }

            public string Protocol => "v5.channel.k8s.io";

            public Stream StandardInput { get; } = new MemoryStream();

            public Stream StandardOutput { get; }

            public Stream StandardError { get; } = new MemoryStream();

            public Task<int> ExitCode => _exit.Task;

            public bool TryCloseStandardInput() => true;

            public ValueTask DisposeAsync()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    _exit.TrySetResult(0);
                    _closed();
                }

                return ValueTask.CompletedTask;
            }
        }
    }
}
