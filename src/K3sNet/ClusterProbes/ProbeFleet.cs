// CONTRACT (integrator, 2026-12-02): the signatures below are fixed; helper C implements the bodies.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Kubernetes;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// One run's probe pods: a namespace of K3sNet's own (k3snet-&lt;random&gt;, labelled as K3sNet's, annotated with
    /// its owner), one pod per node pinned by nodeName, started in parallel and waited for with one watch; exec into
    /// them bounded by the throttle limit; and the namespace deleted when the run ends, however it ends.
    /// </summary>
    internal sealed class ProbeFleet : IAsyncDisposable
    {
        /// <summary>The label every namespace K3sNet makes carries (app.kubernetes.io/managed-by=k3snet).</summary>
        public const string ManagedByLabel = "app.kubernetes.io/managed-by";

        public const string ManagedByValue = "k3snet";

        /// <summary>How long the namespace delete may take at the end: bounded on its own, since the run's token may be cancelled.</summary>
        public static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

        private readonly IPodRunner _runner;
        private readonly SemaphoreSlim _execSlots;
        private int _disposed;

        private ProbeFleet(IPodRunner runner, string runId, int throttleLimit)
        {
            _runner = runner;
            RunId = runId;
            Namespace = ProbeNames.Namespace(runId);
            _execSlots = new SemaphoreSlim(Math.Max(1, throttleLimit));
        }

        /// <summary>The namespace of this run.</summary>
        public string Namespace { get; private set; } = string.Empty;

        /// <summary>The 8 hex digits of this run (its namespace's and pods' k3snet.io/run label).</summary>
        public string RunId { get; } = string.Empty;

        /// <summary>Every node given, in order, with its pod or why it has none running.</summary>
        public IReadOnlyList<ProbeNode> Nodes { get; private set; } = Array.Empty<ProbeNode>();

        /// <summary>Namespaces of other K3sNet runs found at the start (a killed run's), for the caller to warn about.</summary>
        public IReadOnlyList<ProbeNamespaceInfo> Leftovers { get; private set; } = Array.Empty<ProbeNamespaceInfo>();

        /// <summary>Why the leftovers could not be listed (RBAC without list namespaces), or null.</summary>
        public string? LeftoverCheckFailure { get; private set; }

        /// <summary>Why the namespace could not be deleted at the end, or null: the caller tells the user to run Remove-K3sNetProbe.</summary>
        public Exception? CleanupFailure { get; private set; }

        /// <summary>
        /// Creates the namespace and one pod of <paramref name="kind"/> per node, and waits (up to the start timeout) until
        /// each is Ready or has failed for a reason of its own. Progress reports each pod as it comes. Throws
        /// ClusterRequestException when the namespace or the pods cannot be created at all (403, Pod Security), after
        /// removing what it made.
        /// </summary>
        public static async Task<ProbeFleet> StartAsync(
            IPodRunner runner,
            IReadOnlyList<K3sNode> nodes,
            ProbePodKind kind,
            ProbeFleetOptions options,
            IProgress<string>? progress,
            CancellationToken cancellationToken)
        {
            var fleet = new ProbeFleet(runner, ProbeNames.NewRunId(), options.ThrottleLimit);
            bool namespaceRequested = false;
            try
            {
                IReadOnlyList<K3sNode> distinct = nodes.Where(n => n is not null).GroupBy(n => n.Name, StringComparer.Ordinal).Select(g => g.First()).ToList();
                progress?.Report($"Reading {distinct.Count} node(s) from {runner.Server}");
                IReadOnlyList<NodeFacts> facts = await runner.ListNodesAsync(cancellationToken).ConfigureAwait(false);
                await fleet.FindLeftoversAsync(cancellationToken).ConfigureAwait(false);

                List<ProbeNode> planned = fleet.Plan(distinct, facts, kind, options, out List<ProbePodSpec> pods);
                progress?.Report($"Creating namespace {fleet.Namespace}");
                namespaceRequested = true;
                await runner.CreateNamespaceAsync(fleet.NamespaceSpec(options), cancellationToken).ConfigureAwait(false);

                progress?.Report($"Creating {pods.Count} probe pod(s) in {fleet.Namespace}");
                ConcurrentDictionary<string, string> createFailures = await fleet.CreatePodsAsync(pods, options.ThrottleLimit, cancellationToken).ConfigureAwait(false);
                fleet.Nodes = await fleet.WaitForPodsAsync(planned, createFailures, options.StartTimeout, progress, cancellationToken).ConfigureAwait(false);
                return fleet;
            }
            catch (Exception exception) when (namespaceRequested && !IsRefusedNamespace(exception))
            {
                // Nothing is left behind: not after a 403 on the pods, a Pod Security refusal, nor Ctrl+C.
                await fleet.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Opens an exec session on a ready node's pod, waiting for a free slot of the throttle limit; the slot is held until the session is disposed.</summary>
        public async Task<IExecSession> OpenSessionAsync(ProbeNode node, IReadOnlyList<string> command, CancellationToken cancellationToken)
        {
            if (!node.IsReady)
            {
                throw new InvalidOperationException($"The probe pod on {node.Node.Name} is not ready: {node.NotReadyReason}");
            }

            await _execSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                IExecSession session = await _runner.ExecAsync(Namespace, node.PodName, ProbePodSpec.ContainerName, command, cancellationToken).ConfigureAwait(false);
                return new SlotHoldingSession(session, _execSlots);
            }
            catch
            {
                _execSlots.Release();
                throw;
            }
        }

        /// <summary>Runs a command in a ready node's pod to its end (bounded by <paramref name="timeout"/>): exit code, stdout, stderr.</summary>
        public async Task<ProbeExecResult> RunAsync(ProbeNode node, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            // The command's time starts once it runs: waiting for a slot of the throttle limit is not its time (a
            // 50-node run queues most of its execs), and the exec's own request has the runner's request timeout.
            IExecSession session = await OpenSessionAsync(node, command, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(timeout);
                // The command reads no input; where the protocol can say so (v5), it sees end of file at once.
                session.TryCloseStandardInput();
                Task<string> stdout = ReadToEndAsync(session.StandardOutput, bounded.Token);
                Task<string> stderr = ReadToEndAsync(session.StandardError, bounded.Token);
                try
                {
                    int exitCode = await session.ExitCode.WaitAsync(bounded.Token).ConfigureAwait(false);
                    return new ProbeExecResult(exitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return new ProbeExecResult(-1, Completed(stdout), Completed(stderr), TimedOut: true);
                }
            }
        }

        /// <summary>Deletes the namespace (with its own bounded timeout, not the run's token: Ctrl+C must still clean up).</summary>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            using var cleanup = new CancellationTokenSource(CleanupTimeout);
            try
            {
                await _runner.DeleteNamespaceAsync(Namespace, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is ClusterRequestException or OperationCanceledException or IOException)
            {
                CleanupFailure = exception;
            }
        }

        private static bool IsRefusedNamespace(Exception exception) =>
            exception is ClusterRequestException { Failure: ClusterRequestFailure.Forbidden or ClusterRequestFailure.Unauthorized } refused
            && refused.Request.Resource == "namespaces" && refused.Request.Verb == "create";

        private async Task FindLeftoversAsync(CancellationToken cancellationToken)
        {
            try
            {
                Leftovers = (await _runner.ListNamespacesAsync(ProbeLabels.ManagedSelector, cancellationToken).ConfigureAwait(false))
                    .Where(n => n.Name != Namespace)
                    .ToList();
            }
            catch (ClusterRequestException exception) when (exception.Failure == ClusterRequestFailure.Forbidden)
            {
                // Finding leftovers only warns; a role without list namespaces still runs the probes.
                LeftoverCheckFailure = exception.Message;
            }
        }

        private ProbeNamespaceSpec NamespaceSpec(ProbeFleetOptions options) => new(
            Namespace,
            new Dictionary<string, string>
            {
                [ManagedByLabel] = ManagedByValue,
                [ProbeLabels.Run] = RunId,
                [ProbeLabels.PodSecurityEnforce] = ProbeLabels.PodSecurityLevel,
            },
            ProbeRunOwner.Current(options.Purpose, DateTimeOffset.UtcNow).Annotations());

        /// <summary>Each node's pod, or why it gets none (not in the cluster, no image to run).</summary>
        private List<ProbeNode> Plan(IReadOnlyList<K3sNode> nodes, IReadOnlyList<NodeFacts> facts, ProbePodKind kind, ProbeFleetOptions options, out List<ProbePodSpec> pods)
        {
            var byName = facts.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var planned = new List<ProbeNode>();
            var podNames = new HashSet<string>(StringComparer.Ordinal);
            pods = new List<ProbePodSpec>();
            foreach (K3sNode node in nodes)
            {
                byName.TryGetValue(node.Name, out NodeFacts? fact);
                string podName = ProbeNames.Pod(kind, node.Name);
                if (!podNames.Add(podName))
                {
                    podName = ProbeNames.Label(podName + "-" + node.Name);
                    podNames.Add(podName);
                }

                string toolDirectory = ProbeToolDirectory.For(fact);
                string? image = ProbeImage.Choose(options.Image, fact?.Images ?? Array.Empty<string>());
                string? notReady = fact is null
                    ? $"the cluster has no node named {node.Name} (any more): Get-K3sNode lists the current ones"
                    : image is null
                        ? $"no image to run: {node.Name} lists no pause image in its status.images; pass -Image with an image the node holds or can pull"
                        : null;
                planned.Add(new ProbeNode { Node = node, PodName = podName, ToolDirectory = toolDirectory, NotReadyReason = notReady });
                if (notReady is null)
                {
                    pods.Add(ProbePodTemplate.For(kind, podName, Namespace, RunId, node.Name, image!, toolDirectory, options.DeadlineSeconds));
                }
            }

            return planned;
        }

        /// <summary>
        /// Creates the pods, a few at a time. A refusal that would refuse every pod (RBAC, Pod Security, credentials, an
        /// API server out of reach) ends the run; anything else concerns that node alone and is returned by pod name.
        /// </summary>
        private async Task<ConcurrentDictionary<string, string>> CreatePodsAsync(IReadOnlyList<ProbePodSpec> pods, int throttleLimit, CancellationToken cancellationToken)
        {
            var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttleLimit), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(pods, parallel, async (pod, token) =>
            {
                try
                {
                    await _runner.CreatePodAsync(pod, token).ConfigureAwait(false);
                }
                catch (ClusterRequestException exception) when (exception.Failure is ClusterRequestFailure.ApiError or ClusterRequestFailure.Timeout)
                {
                    failures[pod.Name] = $"the API server did not create it: {exception.Message}";
                }
            }).ConfigureAwait(false);
            return failures;
        }

        /// <summary>Watches the run's pods (one watch) until each is Ready or failed, or the start timeout ends the wait.</summary>
        private async Task<IReadOnlyList<ProbeNode>> WaitForPodsAsync(
            List<ProbeNode> planned,
            IReadOnlyDictionary<string, string> createFailures,
            TimeSpan startTimeout,
            IProgress<string>? progress,
            CancellationToken cancellationToken)
        {
            var waiting = planned.Where(p => p.IsReady && !createFailures.ContainsKey(p.PodName)).ToDictionary(p => p.PodName, StringComparer.Ordinal);
            var states = new Dictionary<string, ProbePodState>(StringComparer.Ordinal);
            var addresses = new Dictionary<string, string?>(StringComparer.Ordinal);
            int total = waiting.Count, settled = 0, ready = 0;
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            watch.CancelAfter(startTimeout);
            if (total > 0)
            {
                try
                {
                    await foreach (ProbePodStatus status in _runner.WatchPodsAsync(Namespace, $"{ProbeLabels.Run}={RunId}", watch.Token).ConfigureAwait(false))
                    {
                        if (!waiting.TryGetValue(status.Name, out ProbeNode? node) || (states.TryGetValue(status.Name, out ProbePodState? known) && known.IsSettled))
                        {
                            continue;
                        }

                        ProbePodState state = ProbePodState.Of(status);
                        if (known is null || known != state)
                        {
                            progress?.Report($"{node.Node.Name}: {state.Description}");
                        }

                        states[status.Name] = state;
                        addresses[status.Name] = status.PodIP;
                        if (state.IsSettled)
                        {
                            settled++;
                            ready += state.Kind == ProbePodStateKind.Ready ? 1 : 0;
                            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"{ready} of {total} probe pod(s) ready, {settled - ready} failed"));
                            if (settled == total)
                            {
                                break;
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The start timeout: the pods not ready by now are NotTested, and say how far they got.
                }
            }

            int seconds = (int)Math.Ceiling(startTimeout.TotalSeconds);
            return planned.Select(p =>
            {
                if (!p.IsReady)
                {
                    return p;
                }

                if (createFailures.TryGetValue(p.PodName, out string? createFailure))
                {
                    return p with { NotReadyReason = createFailure };
                }

                states.TryGetValue(p.PodName, out ProbePodState? state);
                addresses.TryGetValue(p.PodName, out string? podIP);
                return state?.Kind switch
                {
                    ProbePodStateKind.Ready => p with { PodIP = podIP },
                    ProbePodStateKind.Failed => p with { PodIP = podIP, NotReadyReason = state.Description },
                    _ => p with
                    {
                        PodIP = podIP,
                        NotReadyReason = string.Create(CultureInfo.InvariantCulture, $"not Ready within {seconds} s (last seen {state?.Description ?? "never created"})"),
                    },
                };
            }).ToList();
        }

        private static async Task<string> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(stream, leaveOpen: true);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        private static string Completed(Task<string> read) => read.IsCompletedSuccessfully ? read.Result : string.Empty;

        /// <summary>An exec session that gives its throttle slot back when it is disposed.</summary>
        private sealed class SlotHoldingSession : IExecSession
        {
            private readonly IExecSession _inner;
            private SemaphoreSlim? _slot;

            public SlotHoldingSession(IExecSession inner, SemaphoreSlim slot)
            {
                _inner = inner;
                _slot = slot;
            }

            public string Protocol => _inner.Protocol;

            public Stream StandardInput => _inner.StandardInput;

            public Stream StandardOutput => _inner.StandardOutput;

            public Stream StandardError => _inner.StandardError;

            public Task<int> ExitCode => _inner.ExitCode;

            public bool TryCloseStandardInput() => _inner.TryCloseStandardInput();

            public async ValueTask DisposeAsync()
            {
                try
                {
                    await _inner.DisposeAsync().ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Exchange(ref _slot, null)?.Release();
                }
            }
        }
    }

    /// <summary>What a command run through exec gave back.</summary>
    internal sealed record ProbeExecResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut);
}
