using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.Commands
{
    /// <summary>Tests the VXLAN path from this node to every peer, and explains each one that fails.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "K3sVxlan", DefaultParameterSetName = NodeSet)]
    [OutputType(typeof(VxlanPathResult))]
    public sealed class TestK3sVxlanCommand : K3sNetCmdlet
    {
        public const string NodeSet = "Node";
        public const string ComputerNameSet = "ComputerName";
        public const string VtepAddressSet = "VtepAddress";
        public const string NodeProbeSet = "NodeProbe";
        public const string ComputerNameProbeSet = "ComputerNameProbe";

        private const int ProgressActivityId = 8472;

        private readonly List<K3sNode> _nodes = new();

        /// <summary>The cluster's nodes, from Get-K3sNode; the one this runs on is recognised by its addresses.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = NodeSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = NodeProbeSet)]
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

        /// <summary>The name of the node this runs on, when its addresses do not identify it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LocalNode { get; set; }

        /// <summary>How long each probe waits for its answer.</summary>
        [Parameter]
        [ValidateRange(0.05, 60.0)]
        public double TimeoutSeconds { get; set; } = 1;

        /// <summary>How many peers are tested at once.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 64;

        protected override void ProcessRecord()
        {
            if (ParameterSetName is NodeSet or NodeProbeSet)
            {
                _nodes.AddRange(Node.Where(n => n is not null));
            }
        }

        protected override void EndProcessing()
        {
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
