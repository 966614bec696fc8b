using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.ClusterProbes;
using K3sNet.Hosting;
using K3sNet.Kubernetes;
using K3sNet.PodNetwork;

namespace K3sNet.Commands
{
    /// <summary>
    /// Tests what pods see, from a pod on every node: pod to pod across every node pair, the cluster DNS and each CoreDNS
    /// pod, the kubernetes Service, and egress names; and explains each failure with the node-level cause when
    /// Test-K3sVxlan's results are given. Kubernetes runs the probes (one pod per node, k3s's own busybox), so nothing is
    /// installed on the nodes and the pods are removed when the run ends.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "K3sPodNetwork")]
    [OutputType(typeof(PodNetworkResult))]
    public sealed class TestK3sPodNetworkCommand : K3sNetCmdlet
    {
        private const int ProgressActivityId = 8473;
        private const int RequestTimeoutSeconds = 30;

        private readonly List<K3sNode> _nodes = new();
        private readonly List<EgressTarget> _egress = new();
        private readonly ConcurrentQueue<string> _progress = new();

        /// <summary>The nodes whose pods test, from Get-K3sNode; every node's pod is also a destination for the others.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [K3sNodeTransformation]
        public K3sNode[] Node { get; set; } = Array.Empty<K3sNode>();

        /// <summary>Names outside the cluster pods must reach, as name:port (ssm.us-east-1.amazonaws.com:443): resolved through the cluster DNS, then connected to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Egress { get; set; } = Array.Empty<string>();

        /// <summary>Results of Test-K3sVxlan (-AllNodes) for the same nodes: a failed pod result names the node-level verdict that explains it.</summary>
        [Parameter]
        [AllowEmptyCollection]
        [VxlanResultTransformation]
        public VxlanPathResult[] VxlanResult { get; set; } = Array.Empty<VxlanPathResult>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeContextCompleter))]
        public string? Context { get; set; }

        /// <summary>The probe pods' image; by default each node's own pause image (already there: nothing is pulled).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>How long the probe pods may take to start; a node whose pod is not running by then is NotTested.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int StartTimeoutSeconds { get; set; } = 60;

        /// <summary>How long each probe waits for its answer (three echoes are spaced across it).</summary>
        [Parameter]
        [ValidateRange(1, 60)]
        public int TimeoutSeconds { get; set; } = 2;

        /// <summary>How many pods are created, and exec sessions run, at once.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 16;

        protected override void BeginProcessing()
        {
            foreach (string text in Egress)
            {
                if (!EgressTarget.TryParse(text, out EgressTarget? target, out string problem))
                {
                    ThrowTerminatingError(K3sNetErrors.Create(
                        "EgressTargetInvalid", ErrorCategory.InvalidArgument, text, problem,
                        "Give -Egress as name:port, such as ssm.us-east-1.amazonaws.com:443."));
                }

                if (!_egress.Contains(target!))
                {
                    _egress.Add(target!);
                }
            }
        }

        protected override void ProcessRecord() => _nodes.AddRange(Node.Where(n => n is not null && !_nodes.Any(k => string.Equals(k.Name, n.Name, StringComparison.OrdinalIgnoreCase))));

        protected override void EndProcessing()
        {
            if (_nodes.Count == 0)
            {
                WriteWarning("There is no node to test from: pipe in the cluster's nodes (Get-K3sNode | Test-K3sPodNetwork).");
                return;
            }

            using IPodRunner runner = PodRunnerConnection.Connect(this, Kubeconfig, Context, TimeSpan.FromSeconds(RequestTimeoutSeconds));
            WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                $"{_nodes.Count} node(s), {TimeoutSeconds} s per probe, {ThrottleLimit} exec(s) at a time."));

            var progress = new ProgressRecord(ProgressActivityId, "Testing what pods see", "Reading the cluster DNS and kubernetes Services");
            WriteProgress(progress);
            try
            {
                ClusterTargets targets = Wait(ReadTargetsAsync(runner, CancellationToken));
                WriteVerbose($"Cluster DNS {targets.DnsServiceIP ?? "(none)"}; CoreDNS pods: {(targets.CoreDnsPods.Count == 0 ? "none" : string.Join(", ", targets.CoreDnsPods.Select(p => $"{p.Name} {p.PodIP} on {p.NodeName}")))}; kubernetes Service {targets.KubernetesServiceIP ?? "(none)"}:{targets.KubernetesServicePort}.");
                Run(runner, targets, progress);
            }
            catch (ClusterRequestException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromProbeRequest(exception, RequestTimeoutSeconds));
            }
            finally
            {
                if (!CancellationToken.IsCancellationRequested)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }
        }

        private void Run(IPodRunner runner, ClusterTargets targets, ProgressRecord progress)
        {
            var options = new ProbeFleetOptions
            {
                StartTimeout = TimeSpan.FromSeconds(StartTimeoutSeconds),
                ThrottleLimit = ThrottleLimit,
                Image = Image,
                ProbeTime = PodProbeScript.Budget(TimeoutSeconds),
                Purpose = string.Create(CultureInfo.InvariantCulture, $"Test-K3sPodNetwork from {_nodes.Count} node(s)"),
            };
            progress.StatusDescription = $"Starting a probe pod on each of {_nodes.Count} node(s)";
            WriteProgress(progress);
            ProbeFleet fleet = WaitPumping(
                ProbeFleet.StartAsync(runner, _nodes, ProbePodKind.PodNetwork, options, new QueuedProgress<string>(_progress.Enqueue), CancellationToken), progress);
            try
            {
                foreach (ProbeNamespaceInfo leftover in fleet.Leftovers)
                {
                    WriteWarning(ProbeRunOwner.DescribeLeftover(leftover, DateTimeOffset.UtcNow));
                }

                if (fleet.LeftoverCheckFailure is { } failure)
                {
                    WriteVerbose($"Could not look for namespaces earlier runs left: {failure}");
                }

                WriteVerbose($"Probe pods in namespace {fleet.Namespace}: {fleet.Nodes.Count(n => n.IsReady)} of {fleet.Nodes.Count} running.");
                foreach (ProbeNode node in fleet.Nodes.Where(n => !n.IsReady))
                {
                    WriteVerbose($"{node.Node.Name}: its probe pod could not run: {node.NotReadyReason}");
                }

                int ready = fleet.Nodes.Count(n => n.IsReady);
                int done = 0;
                progress.StatusDescription = $"Probing from {ready} pod(s): 0 done";
                progress.PercentComplete = 0;
                WriteProgress(progress);
                var tester = new PodNetworkTester(fleet.RunAsync, TimeoutSeconds);
                var finished = new QueuedProgress<ProbeNode>(node =>
                {
                    int count = Interlocked.Increment(ref done);
                    _progress.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{count}/{ready}|Probing from {ready} pod(s): {count} done, last {node.Node.Name}"));
                });
                IReadOnlyList<PodNetworkResult> results = WaitPumping(
                    tester.TestAsync(fleet.Nodes, targets, _egress, VxlanResult.Where(r => r is not null), finished, CancellationToken), progress);
                WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                    $"{tester.ExecCount} exec session(s); {runner.RequestCount} request(s) to the API server so far."));
                WriteObject(results, enumerateCollection: true);
            }
            finally
            {
                // The namespace goes first, with a bounded time of its own: after Ctrl+C every write to the pipeline
                // (progress, warnings) throws PipelineStoppedException, which must not skip the cleanup.
                bool stopping = CancellationToken.IsCancellationRequested;
                if (!stopping)
                {
                    progress.StatusDescription = $"Removing namespace {fleet.Namespace}";
                    WriteProgress(progress);
                }

                fleet.DisposeAsync().AsTask().GetAwaiter().GetResult();
                if (fleet.CleanupFailure is { } cleanup && !stopping)
                {
                    WriteWarning($"The namespace {fleet.Namespace} could not be removed ({cleanup.Message}); its pods end by themselves at their deadline. Remove-K3sNetProbe removes it.");
                }
            }
        }

        /// <summary>Waits for a task on the pipeline thread, writing the progress the background work queued meanwhile.</summary>
        private T WaitPumping<T>(Task<T> task, ProgressRecord progress)
        {
            // The wait handle, not task.Wait: a faulted task must reach Wait below, which turns Ctrl+C into a quiet stop.
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(100)) || !_progress.IsEmpty)
            {
                while (_progress.TryDequeue(out string? status))
                {
                    int bar = status.IndexOf('|', StringComparison.Ordinal);
                    if (bar > 0 && status[..bar].Split('/') is [var doneText, var totalText]
                        && int.TryParse(doneText, NumberStyles.None, CultureInfo.InvariantCulture, out int doneCount)
                        && int.TryParse(totalText, NumberStyles.None, CultureInfo.InvariantCulture, out int total) && total > 0)
                    {
                        progress.PercentComplete = Math.Min(100, doneCount * 100 / total);
                        status = status[(bar + 1)..];
                    }

                    progress.StatusDescription = status;
                    WriteProgress(progress);
                }

                if (task.IsCompleted)
                {
                    break;
                }
            }

            return Wait(task);
        }

        private static async Task<ClusterTargets> ReadTargetsAsync(IPodRunner runner, CancellationToken cancellationToken)
        {
            Task<ClusterServiceInfo?> dns = runner.ReadServiceAsync("kube-system", "kube-dns", cancellationToken);
            Task<IReadOnlyList<ProbePodStatus>> coreDns = runner.ListPodsByLabelAsync("kube-system", "k8s-app=kube-dns", cancellationToken);
            Task<ClusterServiceInfo?> api = runner.ReadServiceAsync("default", "kubernetes", cancellationToken);
            await Task.WhenAll(dns, coreDns, api).ConfigureAwait(false);
            ClusterServiceInfo? kubernetes = api.Result;
            return new ClusterTargets
            {
                DnsServiceIP = UsableIP(dns.Result?.ClusterIP),
                CoreDnsPods = coreDns.Result
                    .Where(p => !p.Deleted && p.Phase is null or "Running")
                    .Select(p => new CoreDnsEndpoint(p.Name, p.NodeName, UsableIP(p.PodIP)))
                    .ToArray(),
                KubernetesServiceIP = UsableIP(kubernetes?.ClusterIP),
                KubernetesServicePort = kubernetes?.Ports.Where(p => string.Equals(p.Protocol, "TCP", StringComparison.OrdinalIgnoreCase)).Select(p => p.Port).FirstOrDefault() is int port and > 0 ? port : 443,
            };
        }

        /// <summary>An IPv4 address the probes can use; "None" (a headless Service) and IPv6 are not.</summary>
        private static string? UsableIP(string? text) =>
            System.Net.IPAddress.TryParse(text, out System.Net.IPAddress? address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? address.ToString()
                : null;

        /// <summary>
        /// Progress reported from the background work, handed on at once (System.Progress would post it to the thread
        /// pool, to arrive after the work it describes); the handler only queues it for the pipeline thread.
        /// </summary>
        private sealed class QueuedProgress<T> : IProgress<T>
        {
            private readonly Action<T> _handler;

            public QueuedProgress(Action<T> handler) => _handler = handler;

            public void Report(T value) => _handler(value);
        }
    }
}
