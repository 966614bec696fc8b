using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.Icmp;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Kernel mode: tests each peer through the local flannel.1, the path pods use. ICMP echoes to a peer's VTEP
    /// address are routed by the kernel into flannel.1, encapsulated in UDP 8472 and sent to the peer's public-ip, so
    /// an answer proves the whole VXLAN path both ways. The underlay (ICMP and TCP 10250 to the public-ip) tells a
    /// blocked VXLAN port from a node that is down; the local device and its entries tell both from a stale config.
    /// </summary>
    internal sealed class KernelPathTester : IVxlanPathTester
    {
        /// <summary>The small echo: an ordinary ping's size, which any working path carries.</summary>
        private const int SmallPacketSize = IcmpEchoSender.OrdinaryPacketSize;

        private const int RoundTripSamples = 3;

        private readonly KernelState _state;
        private readonly IcmpEchoSender _icmp;
        private readonly HostNetworkState? _host;

        /// <param name="host">This node's forwarding and firewall state; null skips the host checks.</param>
        public KernelPathTester(KernelState state, IcmpEchoSender icmp, HostNetworkState? host = null)
        {
            _state = state;
            _icmp = icmp;
            _host = host;
        }

        public KernelState State => _state;

        /// <summary>
        /// What the host checks could not settle (a rule the judge cannot evaluate), one line per peer and packet; the
        /// cmdlet writes them as verbose messages as results come, since they change no verdict.
        /// </summary>
        public ConcurrentQueue<string> Notes { get; } = new();

        /// <summary>What the host checks know of this node: its annotations where given, else its own devices.</summary>
        public static HostContext ContextFor(KernelState state, HostNetworkState? host, VxlanTestOptions options)
        {
            IPAddress? localUnderlay = options.LocalNode?.UnderlayAddress
                ?? (IPAddress.TryParse(state.Device.LocalAddress, out IPAddress? local) ? local : null);
            string? podCidr = options.LocalNode?.PodCidr
                ?? host?.Bridge?.Addresses.Select(HostPacketClasses.NetworkOf).FirstOrDefault(n => n is not null);
            return new HostContext(options.LocalNodeName, localUnderlay, state.Device.LowerDevice, state.Device.Name, podCidr, options.Port);
        }

        public IAsyncEnumerable<VxlanPathResult> TestAsync(IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options, CancellationToken cancellationToken)
        {
            IReadOnlyList<string> deviceFindings = FlannelStateCheck.CheckDevice(_state, options.LocalNode, options.Port);
            bool? offloadBug = _state.TxChecksumOffload switch
            {
                true => ChecksumOffloadBug.IsAffected(_state.KernelRelease),
                false => false,
                null => null,
            };

            HostContext context = ContextFor(_state, _host, options);
            IAsyncEnumerable<PeerObservation> observed = PeerFanOut.RunAsync(
                peers,
                options.MaxConcurrency,
                peer => ObservePeerAsync(_state.Complete(peer), options, deviceFindings, offloadBug, context, cancellationToken),
                cancellationToken);
            return CommonCauseHold.RunAsync(observed, observation => ToResult(observation, options), cancellationToken);
        }

        private async Task<PeerObservation> ObservePeerAsync(
            VxlanPeer peer,
            VxlanTestOptions options,
            IReadOnlyList<string> deviceFindings,
            bool? offloadBug,
            HostContext context,
            CancellationToken cancellationToken)
        {
            TimeSpan timeout = options.Timeout;
            int deviceMtu = _state.Device.Mtu;
            Task<(PathState State, string? Detail)> underlay = peer.UnderlayAddress is null
                ? Task.FromResult<(PathState, string?)>((PathState.NotTested, "no underlay address"))
                : UnderlayCheck.CheckAsync(_icmp, peer.UnderlayAddress, timeout, cancellationToken);

            PathState overlay = PathState.NotTested;
            bool? fullSize = null;
            int? pathMtu = null;
            double? roundTrip = null;
            if (peer.VtepAddress is not null)
            {
                // The small echo and the full-size DF echo go out together: a healthy or blocked path costs one
                // timeout at most, and only a path where small passes and full-size does not is searched further.
                // The small echo is retried within the timeout (a lost echo is not a verdict); the full-size one has its own second try below.
                IPAddress vtep = peer.VtepAddress;
                Task<(EchoOutcome Outcome, int Sent)> small = SilentPathRetry.RunAsync(
                    (wait, token) => _icmp.EchoAsync(vtep, SmallPacketSize, dontFragment: false, wait, token),
                    e => e.Answered,
                    timeout,
                    Task.Delay,
                    cancellationToken);
                Task<EchoOutcome> full = _icmp.EchoAsync(peer.VtepAddress, deviceMtu, dontFragment: true, timeout, cancellationToken);
                await Task.WhenAll(small, full).ConfigureAwait(false);
                EchoOutcome first = small.Result.Outcome;
                overlay = first.Answered || full.Result.Answered ? PathState.Answered : PathState.Silent;
                if (overlay == PathState.Answered)
                {
                    fullSize = full.Result.Answered;
                    roundTrip = await MedianRoundTripAsync(peer.VtepAddress, first, timeout, cancellationToken).ConfigureAwait(false);
                    if (fullSize == true)
                    {
                        pathMtu = deviceMtu;
                    }
                    else
                    {
                        // The full size again beside the search: one lost echo must not pass for a black hole.
                        Task<EchoOutcome> again = _icmp.EchoAsync(peer.VtepAddress, deviceMtu, dontFragment: true, timeout, cancellationToken);
                        int searched = await PathMtuSearch.FindAsync(SmallPacketSize, deviceMtu, async size =>
                            (await _icmp.EchoAsync(peer.VtepAddress, size, dontFragment: true, timeout, cancellationToken).ConfigureAwait(false)).Answered).ConfigureAwait(false);
                        fullSize = (await again.ConfigureAwait(false)).Answered;
                        pathMtu = fullSize == true ? deviceMtu : searched;
                    }
                }
            }

            (PathState underlayState, string? underlayDetail) = await underlay.ConfigureAwait(false);
            return new PeerObservation
            {
                Peer = peer,
                SourceName = options.LocalNodeName,
                Underlay = underlayState,
                UnderlayDetail = underlayDetail,
                Overlay = overlay,
                FullSizePassed = fullSize,
                DeviceMtu = deviceMtu,
                PathMtu = pathMtu,
                RoundTripMs = roundTrip,
                PeerFindings = FlannelStateCheck.CheckPeer(_state, peer),
                DeviceFindings = deviceFindings,
                HostFindings = Noted(_host is null ? [] : HostPathCheck.Check(_host, context, peer)),
                ChecksumOffloadBugApplies = offloadBug,
                KernelRelease = _state.KernelRelease,
                DeviceName = _state.Device.Name,
                Port = options.Port,
            };
        }

        private IReadOnlyList<HostFinding> Noted(IReadOnlyList<HostFinding> findings)
        {
            foreach (HostFinding undetermined in findings.Where(f => f.Problem == HostProblem.FirewallUndetermined))
            {
                Notes.Enqueue(undetermined.Reason);
            }

            return findings;
        }

        private VxlanPathResult ToResult(PeerObservation observation, VxlanTestOptions options)
        {
            VxlanPeer peer = observation.Peer;
            (VxlanVerdict verdict, string reason, string? remedy) = VxlanVerdictRules.Judge(observation);
            return new VxlanPathResult
            {
                Source = options.LocalNodeName,
                Destination = peer.Name,
                SourceAddress = options.LocalNode?.UnderlayAddress?.ToString() ?? _state.Device.LocalAddress,
                DestinationAddress = peer.UnderlayAddress?.ToString(),
                VtepAddress = peer.VtepAddress?.ToString(),
                FromPort = options.Port,
                ToPort = options.Port,
                Underlay = observation.Underlay,
                Overlay = observation.Overlay,
                RoundTripMs = observation.RoundTripMs,
                PathMtu = observation.PathMtu,
                Verdict = verdict,
                Reason = reason,
                Remedy = remedy,
            };
        }

        private async Task<double?> MedianRoundTripAsync(IPAddress vtep, EchoOutcome first, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var samples = new List<double>();
            if (first.Answered)
            {
                samples.Add(first.RoundTrip.TotalMilliseconds);
            }

            while (samples.Count < RoundTripSamples)
            {
                EchoOutcome next = await _icmp.EchoAsync(vtep, SmallPacketSize, dontFragment: false, timeout, cancellationToken).ConfigureAwait(false);
                if (!next.Answered)
                {
                    break;
                }

                samples.Add(next.RoundTrip.TotalMilliseconds);
            }

            if (samples.Count == 0)
            {
                return null;
            }

            samples.Sort();
            return Math.Round(samples[samples.Count / 2], 3);
        }
    }
}
