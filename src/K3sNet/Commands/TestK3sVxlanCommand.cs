using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.Probing;
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
            (IReadOnlyList<VxlanPeer> peers, VxlanPeer? local, string localName) = ParameterSetName is NodeSet or NodeProbeSet ? PeersFromNodes() : PeersFromAddresses();
            if (peers.Count == 0)
            {
                WriteWarning("There is no VXLAN peer to test: give the cluster's nodes, this one included (Get-K3sNode | Test-K3sVxlan), or -ComputerName or -VtepAddress.");
                return;
            }

            var options = new VxlanTestOptions
            {
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                MaxConcurrency = ThrottleLimit,
                LocalNodeName = localName,
                LocalNode = local,
                Port = Port,
                Vni = Vni,
            };
            IVxlanPathTester tester = CreateTester();
            WriteVerbose($"Testing {peers.Count} peer(s) from {localName}, {ThrottleLimit} at a time, {TimeoutSeconds} s per probe.");
            Run(tester, peers, options);
        }

        /// <summary>
        /// The one place Test-K3sVxlan chooses how to test. Kernel mode (the default): through the local flannel.1.
        /// Probe mode: K3sNet's own RFC 7348 frames to Start-K3sVxlanResponder.
        /// </summary>
        private IVxlanPathTester CreateTester() => Probe ? CreateProbeTester() : CreateKernelTester();

        private ProbePathTester CreateProbeTester()
        {
            IcmpEchoSender? icmp = null;
            try
            {
                icmp = IcmpEchoSender.Open();
                WriteVerbose($"Probe mode, UDP {Port}, VNI {Vni}; underlay ICMP echoes use the {icmp.Kind} socket.");
            }
            catch (IcmpNotPermittedException e)
            {
                // The probes themselves are plain UDP; only the underlay check loses its echo, and TCP 10250 remains.
                WriteVerbose($"Probe mode, UDP {Port}, VNI {Vni}; no ICMP socket ({e.Message}), so the underlay check is TCP {UnderlayCheck.KubeletPort} alone.");
            }

            return new ProbePathTester(icmp);
        }

        private KernelPathTester CreateKernelTester()
        {
            if (!OperatingSystem.IsLinux())
            {
                ThrowTerminatingError(K3sNetErrors.Create(
                    "K3sNet.KernelModeNeedsLinux", ErrorCategory.NotImplemented, null,
                    "Test-K3sVxlan tests through the kernel's flannel.1, which only a Linux k3s node has.",
                    "Run it on a k3s node, or test with K3sNet's own VXLAN probes: Test-K3sVxlan -ComputerName <peer> -Probe."));
            }

            string device = KernelStateReader.FlannelDeviceName;
            KernelState? state = null;
            try
            {
                state = Wait(KernelStateReader.ReadAsync(device, CancellationToken));
            }
            catch (FileNotFoundException e)
            {
                ThrowTerminatingError(K3sNetErrors.Create(
                    "K3sNet.IprouteNotFound", ErrorCategory.ObjectNotFound, e.FileName, e.Message,
                    "Install iproute2 (apt-get install iproute2, or dnf install iproute), which provides 'ip' and 'bridge'.",
                    e));
            }

            if (state is null)
            {
                ThrowTerminatingError(K3sNetErrors.Create(
                    "K3sNet.FlannelDeviceNotFound", ErrorCategory.ObjectNotFound, device,
                    $"This host has no flannel VXLAN device '{device}' (read with 'ip -d link', from iproute2), so there is no kernel path to test: " +
                    "k3s is not installed or not running here, or it uses another flannel backend.",
                    "Run Test-K3sVxlan on a k3s node that runs flannel's vxlan backend, or test without flannel with K3sNet's own VXLAN probes: " +
                    "start Start-K3sVxlanResponder on the peer and run Test-K3sVxlan -ComputerName <peer> -Probe here."));
            }

            WriteVerbose($"{device}: VNI {state!.Device.Vni}, port {state.Device.Port}, local {state.Device.LocalAddress}, MTU {state.Device.Mtu} on {state.Device.LowerDevice} (MTU {state.LowerDeviceMtu}); " +
                $"{state.Neighbours.Count} neighbour, {state.Fdb.Count} fdb and {state.Routes.Count} route entries; tx checksum offload {(state.TxChecksumOffload?.ToString() ?? state.TxChecksumOffloadFailure)}.");
            try
            {
                IcmpEchoSender icmp = IcmpEchoSender.Open();
                WriteVerbose($"ICMP echoes use the {icmp.Kind} socket.");
                return new KernelPathTester(state, icmp);
            }
            catch (IcmpNotPermittedException e)
            {
                ThrowTerminatingError(K3sNetErrors.Create(
                    "K3sNet.IcmpNotPermitted", ErrorCategory.PermissionDenied, null, e.Message,
                    "Run as root (sudo), or let your group use the ICMP datagram socket: sudo sysctl -w net.ipv4.ping_group_range='0 2147483647'.",
                    e));
                throw; // not reached: ThrowTerminatingError always throws
            }
        }

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
                // Results are written here, on the pipeline thread, as each peer finishes.
                while (Wait(results.MoveNextAsync().AsTask()))
                {
                    done++;
                    WriteObject(results.Current);
                    progress.StatusDescription = $"{done} of {peers.Count} peers; last: {results.Current.Destination} {results.Current.Verdict}";
                    progress.PercentComplete = done * 100 / peers.Count;
                    WriteProgress(progress);
                }
            }
            finally
            {
                Task dispose = results.DisposeAsync().AsTask();
                if (!CancellationToken.IsCancellationRequested)
                {
                    dispose.GetAwaiter().GetResult();
                }

                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        private (IReadOnlyList<VxlanPeer> Peers, VxlanPeer? Local, string LocalName) PeersFromNodes()
        {
            PeerSelection selection = PeerSelection.FromNodes(_nodes, LocalAddresses(), LocalNode);
            foreach ((K3sNode node, string problem) in selection.Invalid)
            {
                WriteError(K3sNetErrors.Create(
                    "K3sNet.InvalidNodeAddress", ErrorCategory.InvalidData, node, problem,
                    "Check the node's flannel.alpha.coreos.com/public-ip annotation and spec.podCIDR."));
            }

            // Probe mode does not use the local flannel.1, so there is nothing to warn about there.
            if (selection.Local is null && _nodes.Count > 0 && !Probe)
            {
                WriteWarning(LocalNode is not null
                    ? $"No node named '{LocalNode}' was given; the local flannel.1 is not checked against its annotations."
                    : "None of the nodes has an address of this host: the local flannel.1 is not checked against its annotations. Run Test-K3sVxlan on a cluster node, or name it with -LocalNode.");
            }

            string localName = selection.Local?.Name ?? LocalNode ?? Environment.MachineName;
            foreach (K3sNode node in selection.OtherBackends)
            {
                WriteObject(PeerSelection.NotOnVxlan(localName, node));
            }

            return (selection.Peers, selection.Local, localName);
        }

        private (IReadOnlyList<VxlanPeer> Peers, VxlanPeer? Local, string LocalName) PeersFromAddresses()
        {
            var peers = new List<VxlanPeer>();
            if (ParameterSetName == ComputerNameSet && VtepAddress.Length > 0 && VtepAddress.Length != ComputerName.Length)
            {
                ThrowTerminatingError(K3sNetErrors.Create(
                    "K3sNet.VtepAddressCountMismatch", ErrorCategory.InvalidArgument, VtepAddress,
                    $"-ComputerName names {ComputerName.Length} peer(s) but -VtepAddress gives {VtepAddress.Length} address(es).",
                    "Give one VTEP address for each computer name, in the same order, or leave -VtepAddress out to read them from flannel.1's entries."));
            }

            if (ParameterSetName == VtepAddressSet)
            {
                peers.AddRange(VtepAddress.Select(v => new VxlanPeer(v.ToString(), null, v, null, null, null, false)));
            }
            else
            {
                for (int i = 0; i < ComputerName.Length; i++)
                {
                    IPAddress? underlay = Resolve(ComputerName[i]);
                    if (underlay is null)
                    {
                        continue;
                    }

                    IPAddress? vtep = VtepAddress.Length > 0 ? VtepAddress[i] : null;
                    peers.Add(new VxlanPeer(ComputerName[i], underlay, vtep, null, null, null, false));
                }
            }

            return (peers, null, LocalNode ?? Environment.MachineName);
        }

        private IPAddress? Resolve(string name)
        {
            if (IPAddress.TryParse(name, out IPAddress? address))
            {
                return address;
            }

            try
            {
                IPAddress? resolved = Wait(Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, CancellationToken)).FirstOrDefault();
                if (resolved is not null)
                {
                    return resolved;
                }
            }
            catch (SocketException)
            {
            }

            WriteError(K3sNetErrors.Create(
                "K3sNet.ComputerNameNotResolved", ErrorCategory.ObjectNotFound, name,
                $"'{name}' does not resolve to an IPv4 address.",
                "Give the peer's underlay IP address (its flannel public-ip) instead of its name."));
            return null;
        }

        private static HashSet<IPAddress> LocalAddresses()
        {
            var addresses = new HashSet<IPAddress>();
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    addresses.Add(unicast.Address);
                }
            }

            return addresses;
        }
    }
}
