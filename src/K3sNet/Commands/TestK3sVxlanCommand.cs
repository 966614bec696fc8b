using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.ClusterProbes;
using K3sNet.Kubernetes;
using K3sNet.Vxlan;

namespace K3sNet.Commands
{
    /// <summary>
    /// Tests the VXLAN path from this node to every peer, and explains each one that fails; with -AllNodes, from every
    /// node at once, through a short-lived probe pod on each (nothing installed on the nodes).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "K3sVxlan", DefaultParameterSetName = NodeSet)]
    [OutputType(typeof(VxlanPathResult))]
    public sealed class TestK3sVxlanCommand : K3sNetCmdlet
    {
        public const string NodeSet = "Node";
        public const string ComputerNameSet = "ComputerName";
        public const string VtepAddressSet = "VtepAddress";
        public const string NodeProbeSet = "NodeProbe";
        public const string ComputerNameProbeSet = "ComputerNameProbe";
        public const string AllNodesSet = "AllNodes";

        private const int ProgressActivityId = 8472;
        private const int PodStartActivityId = 8473;
        private const int FleetActivityId = 8474;

        /// <summary>Each API request of an -AllNodes run (not the watch or the exec sessions, which last as long as they must).</summary>
        private const int RequestTimeoutSeconds = 30;

        private readonly List<K3sNode> _nodes = new();

        /// <summary>The cluster's nodes, from Get-K3sNode; the one this runs on is recognised by its addresses.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = NodeSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = NodeProbeSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = AllNodesSet)]
        [K3sNodeTransformation]
        public K3sNode[] Node { get; set; } = Array.Empty<K3sNode>();

        /// <summary>Peers by underlay address or host name, for a user without access to the cluster API.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ComputerNameSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ComputerNameProbeSet)]
        [ValidateNotNullOrEmpty]
        public string[] ComputerName { get; set; } = Array.Empty<string>();

        /// <summary>Peers' flannel.1 addresses; with -ComputerName, one for each name, in the same order.</summary>
        [Parameter(ParameterSetName = ComputerNameSet)]
        [Parameter(Mandatory = true, ParameterSetName = VtepAddressSet)]
        [ValidateNotNullOrEmpty]
        public IPAddress[] VtepAddress { get; set; } = Array.Empty<IPAddress>();

        /// <summary>
        /// Probe mode: K3sNet's own RFC 7348 frames to Start-K3sVxlanResponder on each peer, instead of the kernel's
        /// flannel.1. The preflight before k3s is installed, when UDP 8472 is still free.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = NodeProbeSet)]
        [Parameter(Mandatory = true, ParameterSetName = ComputerNameProbeSet)]
        public SwitchParameter Probe { get; set; }

        /// <summary>The UDP port the peers' responders listen on (probe mode).</summary>
        [Parameter(ParameterSetName = NodeProbeSet)]
        [Parameter(ParameterSetName = ComputerNameProbeSet)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 8472;

        /// <summary>The VNI the probes carry (probe mode).</summary>
        [Parameter(ParameterSetName = NodeProbeSet)]
        [Parameter(ParameterSetName = ComputerNameProbeSet)]
        [ValidateRange(0, 0xFFFFFF)]
        public int Vni { get; set; } = 1;

        /// <summary>
        /// Every node tests every peer, each through a probe pod Kubernetes runs on it (the node's own pause image and
        /// k3s's own tools): from any machine with a kubeconfig, with nothing installed on the nodes.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = AllNodesSet)]
        public SwitchParameter AllNodes { get; set; }

        /// <summary>The kubeconfig file (-AllNodes); by default KUBECONFIG, ~/.kube/config or /etc/rancher/k3s/k3s.yaml.</summary>
        [Parameter(ParameterSetName = AllNodesSet)]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

        /// <summary>The kubeconfig context (-AllNodes); by default its current context.</summary>
        [Parameter(ParameterSetName = AllNodesSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeContextCompleter))]
        public string? Context { get; set; }

        /// <summary>The probe pods' image (-AllNodes); by default each node's own pause image, so nothing is pulled.</summary>
        [Parameter(ParameterSetName = AllNodesSet)]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>How long the probe pods may take to start (-AllNodes); a node whose pod is not ready by then is NotTested.</summary>
        [Parameter(ParameterSetName = AllNodesSet)]
        [ValidateRange(1, 3600)]
        public int StartTimeoutSeconds { get; set; } = 60;

        /// <summary>The name of the node this runs on, when its addresses do not identify it.</summary>
        [Parameter(ParameterSetName = NodeSet)]
        [Parameter(ParameterSetName = ComputerNameSet)]
        [Parameter(ParameterSetName = VtepAddressSet)]
        [Parameter(ParameterSetName = NodeProbeSet)]
        [Parameter(ParameterSetName = ComputerNameProbeSet)]
        [ValidateNotNullOrEmpty]
        public string? LocalNode { get; set; }

        /// <summary>How long each probe waits for its answer.</summary>
        [Parameter]
        [ValidateRange(0.05, 60.0)]
        public double TimeoutSeconds { get; set; } = 1;

        /// <summary>How many peers are tested at once; with -AllNodes, how many nodes' exec sessions (and pod creations) run at once.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 64;

        protected override void ProcessRecord()
        {
            if (ParameterSetName is NodeSet or NodeProbeSet or AllNodesSet)
            {
                _nodes.AddRange(Node.Where(n => n is not null));
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == AllNodesSet)
            {
                TestAllNodes();
                return;
            }

            PeerSelection selection = SelectPeers();
            string localName = selection.Local?.Name ?? LocalNode ?? Environment.MachineName;
            WriteSetAside(selection, localName);
            if (selection.Peers.Count == 0)
            {
                WriteWarning(selection.Unresolved.Count > 0
                    ? "There is no VXLAN peer to test: no -ComputerName resolved to an IPv4 address. Give the peers' underlay IP addresses instead."
                    : "There is no VXLAN peer to test: give the cluster's nodes, this one included (Get-K3sNode | Test-K3sVxlan), or -ComputerName or -VtepAddress.");
                return;
            }

            var options = new VxlanTestOptions
            {
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                MaxConcurrency = ThrottleLimit,
                LocalNodeName = localName,
                LocalNode = selection.Local,
                Port = Port,
                Vni = Vni,
            };
            VxlanTesterCreation creation = Wait(VxlanTesterFactory.ForThisHost().CreateAsync(Probe, options, CancellationToken));
            foreach (string note in creation.Notes)
            {
                WriteVerbose(note);
            }

            if (creation.Failure is not null)
            {
                ThrowTerminatingError(VxlanErrors.FromTesterFailure(creation.Failure));
            }

            WriteVerbose($"Testing {selection.Peers.Count} peer(s) from {localName}, {ThrottleLimit} at a time, {TimeoutSeconds} s per probe.");
            Run(creation.Tester!, selection.Peers, options);
        }

        /// <summary>-AllNodes: a probe pod on every node, Test-K3sVxlan's checks in each, the namespace removed however the run ends.</summary>
        private void TestAllNodes()
        {
            PeerSelection cluster = PeerSelection.FromNodes(_nodes, new HashSet<IPAddress>(), localNodeName: null);
            foreach ((K3sNode node, string problem) in cluster.Invalid)
            {
                WriteError(VxlanErrors.InvalidNodeAddress(node, problem));
            }

            if (_nodes.Count < 2)
            {
                WriteWarning("There is no VXLAN path to test: pipe in the cluster's nodes (Get-K3sNode | Test-K3sVxlan -AllNodes); every node tests every other.");
                return;
            }

            TimeSpan nodeTimeout = VxlanFleetTimeouts.NodeChecks(TimeoutSeconds, _nodes.Count - 1);
            var fleetOptions = new ProbeFleetOptions
            {
                StartTimeout = TimeSpan.FromSeconds(StartTimeoutSeconds),
                ThrottleLimit = ThrottleLimit,
                Image = Image,
                ProbeTime = VxlanFleetTimeouts.AllChecks(nodeTimeout, _nodes.Count, ThrottleLimit),
                Purpose = "Test-K3sVxlan -AllNodes",
            };
            using IPodRunner runner = PodRunnerConnection.Connect(this, Kubeconfig, Context, TimeSpan.FromSeconds(RequestTimeoutSeconds));
            ProbeFleet fleet = StartFleet(runner, fleetOptions);
            try
            {
                foreach (ProbeNamespaceInfo leftover in fleet.Leftovers)
                {
                    WriteWarning(ProbeRunOwner.DescribeLeftover(leftover, DateTimeOffset.UtcNow));
                }

                if (fleet.LeftoverCheckFailure is string leftoverCheck)
                {
                    WriteVerbose($"Could not look for namespaces an earlier run left behind: {leftoverCheck}");
                }

                WriteVerbose($"{fleet.Nodes.Count(n => n.IsReady)} of {fleet.Nodes.Count} probe pod(s) ready in {fleet.Namespace}; " +
                    $"testing every path from each, {ThrottleLimit} node(s) at a time, {TimeoutSeconds} s per probe, {nodeTimeout.TotalSeconds:0} s per node at most.");
                RunFleet(fleet, nodeTimeout);
            }
            catch (ClusterRequestException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromProbeRequest(exception, RequestTimeoutSeconds));
            }
            finally
            {
                // Not the run's token: on Ctrl+C too, the namespace (and so every pod) goes, within its own bound.
                fleet.DisposeAsync().AsTask().GetAwaiter().GetResult();
                if (!CancellationToken.IsCancellationRequested)
                {
                    if (fleet.CleanupFailure is not null)
                    {
                        WriteWarning($"The probe namespace {fleet.Namespace} could not be removed: {fleet.CleanupFailure.Message} " +
                            "Its pods end by themselves at their deadline; Remove-K3sNetProbe removes the namespace.");
                    }

                    WriteVerbose((fleet.CleanupFailure is null ? $"Removed {fleet.Namespace}; t" : "T") + $"he run made {runner.RequestCount} request(s) to the API server.");
                }
            }
        }

        /// <summary>Starts the pods, showing their progress on the pipeline thread while it waits.</summary>
        private ProbeFleet StartFleet(IPodRunner runner, ProbeFleetOptions options)
        {
            var progress = new ProgressRecord(PodStartActivityId, $"Starting K3sNet's probe pods on {_nodes.Count} node(s)", $"Connecting to {runner.Server}");
            var reports = new ProgressQueue();
            Task<ProbeFleet> start = ProbeFleet.StartAsync(runner, _nodes, ProbePodKind.Node, options, reports, CancellationToken);
            try
            {
                while (!((IAsyncResult)start).AsyncWaitHandle.WaitOne(100))
                {
                    ShowProgress(progress, reports);
                }

                ShowProgress(progress, reports);
                return Wait(start);
            }
            catch (ClusterRequestException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromProbeRequest(exception, RequestTimeoutSeconds));
                throw;
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

        private void ShowProgress(ProgressRecord progress, ProgressQueue reports)
        {
            while (reports.TryDequeue(out string? report))
            {
                progress.StatusDescription = report;
                WriteProgress(progress);
            }
        }

        /// <summary>Writes every node's results as they come, with one progress record for the run and one per node.</summary>
        private void RunFleet(ProbeFleet fleet, TimeSpan nodeTimeout)
        {
            int peersPerNode = Math.Max(1, _nodes.Count - 1);
            int total = fleet.Nodes.Count * peersPerNode, done = 0;
            var overall = new ProgressRecord(FleetActivityId, $"Testing VXLAN paths from {fleet.Nodes.Count} node(s)", $"0 of {total} paths");
            var perNode = new Dictionary<string, (ProgressRecord Record, int Done)>(StringComparer.Ordinal);
            for (int i = 0; i < fleet.Nodes.Count; i++)
            {
                string name = fleet.Nodes[i].Node.Name;
                perNode[name] = (new ProgressRecord(FleetActivityId + 1 + i, $"From {name}", $"0 of {peersPerNode} peers") { ParentActivityId = FleetActivityId }, 0);
            }

            WriteProgress(overall);
            var vxlanOptions = new VxlanTestOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds) };
            IAsyncEnumerator<VxlanFleetEvent> events = VxlanFleetRun
                .RunAsync(fleet, _nodes, vxlanOptions, nodeTimeout, NodeCheckConnector.NodeAgent, CancellationToken)
                .GetAsyncEnumerator(CancellationToken);
            try
            {
                while (Wait(events.MoveNextAsync().AsTask()))
                {
                    switch (events.Current)
                    {
                        case VxlanFleetNote note:
                            WriteVerbose($"{note.Node}: {note.Text}");
                            break;
                        case VxlanFleetResult result:
                            WriteObject(result.Result);
                            done++;
                            overall.StatusDescription = $"{done} of {total} paths; last: {result.Result.Source} -> {result.Result.Destination} {result.Result.Verdict}";
                            overall.PercentComplete = Math.Min(100, done * 100 / Math.Max(1, total));
                            WriteProgress(overall);
                            if (perNode.TryGetValue(result.Node, out (ProgressRecord Record, int Done) node))
                            {
                                node.Done++;
                                node.Record.StatusDescription = $"{node.Done} of {peersPerNode} peers; last: {result.Result.Destination} {result.Result.Verdict}";
                                node.Record.PercentComplete = Math.Min(100, node.Done * 100 / peersPerNode);
                                perNode[result.Node] = node;
                                WriteProgress(node.Record);
                            }

                            break;
                        case VxlanFleetNodeDone finished when perNode.TryGetValue(finished.Node, out (ProgressRecord Record, int Done) ended):
                            ended.Record.RecordType = ProgressRecordType.Completed;
                            WriteProgress(ended.Record);
                            break;
                    }
                }
            }
            finally
            {
                Task dispose = events.DisposeAsync().AsTask();
                if (!CancellationToken.IsCancellationRequested)
                {
                    dispose.GetAwaiter().GetResult();
                    overall.RecordType = ProgressRecordType.Completed;
                    WriteProgress(overall);
                }
            }
        }

        private PeerSelection SelectPeers()
        {
            switch (ParameterSetName)
            {
                case NodeSet or NodeProbeSet:
                    return PeerSelection.FromNodes(_nodes, ThisHost.Addresses(), LocalNode);
                case VtepAddressSet:
                    return PeerSelection.FromVtepAddresses(VtepAddress);
                default:
                    if (VtepAddress.Length > 0 && VtepAddress.Length != ComputerName.Length)
                    {
                        ThrowTerminatingError(VxlanErrors.VtepAddressCountMismatch(ComputerName, VtepAddress));
                    }

                    return Wait(PeerSelection.FromComputerNamesAsync(ComputerName, VtepAddress, ThisHost.ResolveIPv4Async, CancellationToken));
            }
        }

        /// <summary>Says what will not be tested, and why: bad input as errors, other backends as NotTested results.</summary>
        private void WriteSetAside(PeerSelection selection, string localName)
        {
            foreach ((K3sNode node, string problem) in selection.Invalid)
            {
                WriteError(VxlanErrors.InvalidNodeAddress(node, problem));
            }

            foreach (string name in selection.Unresolved)
            {
                WriteError(VxlanErrors.ComputerNameNotResolved(name));
            }

            // Probe mode does not use the local flannel.1, so there is nothing to warn about there.
            if (selection.Local is null && _nodes.Count > 0 && !Probe)
            {
                WriteWarning(LocalNode is not null
                    ? $"No node named '{LocalNode}' was given; the local flannel.1 is not checked against its annotations."
                    : "None of the nodes has an address of this host: the local flannel.1 is not checked against its annotations. Run Test-K3sVxlan on a cluster node, or name it with -LocalNode.");
            }

            foreach (K3sNode node in selection.OtherBackends)
            {
                WriteObject(PeerSelection.NotOnVxlan(localName, node));
            }
        }

        /// <summary>Writes each result, and the progress, on the pipeline thread as each peer finishes.</summary>
        private void Run(IVxlanPathTester tester, IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options)
        {
            var progress = new ProgressRecord(ProgressActivityId, $"Testing VXLAN paths from {options.LocalNodeName}", $"0 of {peers.Count} peers")
            {
                PercentComplete = 0,
            };
            WriteProgress(progress);
            IAsyncEnumerator<VxlanPathResult> results = tester.TestAsync(peers, options, CancellationToken).GetAsyncEnumerator(CancellationToken);
            try
            {
                int done = 0;
                while (Wait(results.MoveNextAsync().AsTask()))
                {
                    done++;
                    WriteTesterNotes(tester);

                    WriteObject(results.Current);
                    progress.StatusDescription = $"{done} of {peers.Count} peers; last: {results.Current.Destination} {results.Current.Verdict}";
                    progress.PercentComplete = done * 100 / peers.Count;
                    WriteProgress(progress);
                }
            }
            finally
            {
                // The probe namespace goes now, also on Ctrl+C, while the stopped enumeration unwinds on its own.
                (tester as IDisposable)?.Dispose();
                if (!CancellationToken.IsCancellationRequested)
                {
                    WriteTesterNotes(tester);
                }

                Task dispose = results.DisposeAsync().AsTask();
                if (!CancellationToken.IsCancellationRequested)
                {
                    dispose.GetAwaiter().GetResult();
                }

                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        /// <summary>
        /// What the kernel tester noted on the way (a rule the firewall judge could not evaluate, a probe namespace a
        /// killed run left and this one removed), as verbose messages, on the pipeline thread that may write them.
        /// </summary>
        private void WriteTesterNotes(IVxlanPathTester tester)
        {
            if (tester is KernelPathTester kernel)
            {
                while (kernel.Notes.TryDequeue(out string? note))
                {
                    WriteVerbose(note);
                }
            }
        }
    }
}
