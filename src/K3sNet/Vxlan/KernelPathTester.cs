using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.Icmp;
using K3sNet.NodeAccess;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Kernel mode: tests each peer through the local flannel.1, the path pods use. ICMP echoes to a peer's VTEP
    /// address are routed by the kernel into flannel.1, encapsulated in UDP 8472 and sent to the peer's public-ip, so
    /// an answer proves the whole VXLAN path both ways. The underlay (ICMP and TCP 10250 to the public-ip) tells a
    /// blocked VXLAN port from a node that is down; the local device and its entries tell both from a stale config.
    /// The same echo from a probe namespace on cni0 (<see cref="PodProbeNamespace"/>) takes the pods' way through this
    /// node's FORWARD, which the node's own echo never crosses.
    /// </summary>
    internal sealed class KernelPathTester : IVxlanPathTester, IDisposable
    {
        /// <summary>The small echo: an ordinary ping's size, which any working path carries.</summary>
        private const int SmallPacketSize = IcmpEchoSender.OrdinaryPacketSize;

        /// <summary>How many echoes the round trip is the median of, on this host.</summary>
        public const int RoundTripSamples = 3;

        private readonly int _roundTripSamples;

        private readonly KernelState _state;
        private readonly IEchoSender _icmp;
        private readonly HostNetworkState? _host;
        private readonly bool _probePods;
        private PodProbeNamespace? _probe;
        private int _unreadNoted;
        private int _fullSizeNoted;

        /// <param name="host">This node's forwarding and firewall state; null skips the host checks.</param>
        /// <param name="icmp">Sends the echoes: this host's ICMP socket, or a cluster node's ping through its probe pod.</param>
        /// <param name="probePods">
        /// Whether to echo from a probe namespace on cni0 as well (the host checks' cni0 in <paramref name="host"/>): only
        /// on this host, whose namespaces K3sNet makes itself, so only with its own <see cref="IcmpEchoSender"/>.
        /// </param>
        /// <param name="roundTripSamples">How many echoes the round trip is the median of (each is a process on a node reached through a probe pod).</param>
        public KernelPathTester(KernelState state, IEchoSender icmp, HostNetworkState? host = null, bool probePods = false, int roundTripSamples = RoundTripSamples)
        {
            _roundTripSamples = Math.Max(1, roundTripSamples);
            if (probePods && icmp is not IcmpEchoSender)
            {
                throw new ArgumentException("A probe namespace is made on this host, with this host's ICMP socket.", nameof(probePods));
            }

            _state = state;
            _icmp = icmp;
            _host = host;
            _probePods = probePods;
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

        public async IAsyncEnumerable<VxlanPathResult> TestAsync(IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            IReadOnlyList<string> deviceFindings = FlannelStateCheck.CheckDevice(_state, options.LocalNode, options.Port);
            bool? offloadBug = _state.TxChecksumOffload switch
            {
                true => ChecksumOffloadBug.IsAffected(_state.KernelRelease),
                false => false,
                null => null,
            };

            if (Interlocked.Exchange(ref _unreadNoted, 1) == 0)
            {
                foreach (string unread in _state.Unread)
                {
                    Notes.Enqueue(unread);
                }
            }

            HostContext context = ContextFor(_state, _host, options);
            if (_probePods && _host is not null && _probe is null)
            {
                var notes = new List<string>();
                _probe = await PodProbeNamespace.CreateAsync(_host.Bridge, context.LocalPodCidr, (IcmpEchoSender)_icmp, notes, cancellationToken).ConfigureAwait(false);
                notes.ForEach(Notes.Enqueue);
            }

            try
            {
                IAsyncEnumerable<PeerObservation> observed = PeerFanOut.RunAsync(
                    peers,
                    options.MaxConcurrency,
                    peer => ObservePeerAsync(_state.Complete(peer), options, deviceFindings, offloadBug, context, cancellationToken),
                    cancellationToken);
                await foreach (VxlanPathResult result in CommonCauseHold.RunAsync(observed, observation => ToResult(observation, options), cancellationToken).ConfigureAwait(false))
                {
                    yield return result;
                }
            }
            finally
            {
                Dispose();
            }
        }

        /// <summary>Removes the probe namespace: when the results end, and from the cmdlet on Ctrl+C, whichever comes first.</summary>
        public void Dispose()
        {
            PodProbeNamespace? probe = Interlocked.Exchange(ref _probe, null);
            if (probe is not null)
            {
                probe.Dispose();
                Notes.Enqueue($"Removed the probe namespace {probe.Name} and its veth {probe.Veth}.");
            }
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
            string? overlayDetail = null;
            PodProbeNamespace? probe = _probe;
            Task<(EchoOutcome Outcome, int Sent)>? pod = probe is null || peer.VtepAddress is not IPAddress podTarget
                ? null
                : SilentPathRetry.RunAsync(
                    (wait, token) => probe.EchoAsync(podTarget, SmallPacketSize, wait, token),
                    e => e.Answered,
                    timeout,
                    Task.Delay,
                    cancellationToken);
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
                bool fullSent = !full.Result.CannotSend;
                overlay = first.Answered || (fullSent && full.Result.Answered) ? PathState.Answered
                    : first.CannotSend ? PathState.NotTested
                    : PathState.Silent;
                overlayDetail = overlay == PathState.NotTested ? first.Failure : null;
                if (!fullSent)
                {
                    // Not sent is not lost: no MTU verdict without a full-size DF echo (busybox ping cannot set DF).
                    if (Interlocked.Exchange(ref _fullSizeNoted, 1) == 0)
                    {
                        Notes.Enqueue($"Full-size echoes ({deviceMtu} bytes with DF) were not tested from {options.LocalNodeName}, so no path MTU is judged: {full.Result.Failure}");
                    }

                    if (overlay == PathState.Answered)
                    {
                        roundTrip = await MedianRoundTripAsync(peer.VtepAddress, first, timeout, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (overlay == PathState.Answered)
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
                        bool unknown = false;
                        int searched = await PathMtuSearch.FindAsync(SmallPacketSize, deviceMtu, async size =>
                        {
                            EchoOutcome sized = await _icmp.EchoAsync(peer.VtepAddress, size, dontFragment: true, timeout, cancellationToken).ConfigureAwait(false);
                            unknown |= sized.CannotSend;
                            return sized.Answered;
                        }).ConfigureAwait(false);
                        EchoOutcome second = await again.ConfigureAwait(false);
                        if (second.CannotSend || unknown)
                        {
                            // An echo that was never judged (a node too busy to send it) is not a lost one: no MTU verdict from it.
                            fullSize = null;
                            Notes.Enqueue($"{peer.Name}: the path MTU from {options.LocalNodeName} was not judged: {(second.CannotSend ? second.Failure : "an echo of the search could not be sent")}");
                        }
                        else
                        {
                            fullSize = second.Answered;
                            pathMtu = fullSize == true ? deviceMtu : searched;
                        }
                    }
                }
            }

            (PathState underlayState, string? underlayDetail) = await underlay.ConfigureAwait(false);
            PathState podEcho = pod is null ? PathState.NotTested : (await pod.ConfigureAwait(false)).Outcome.Answered ? PathState.Answered : PathState.Silent;
            return new PeerObservation
            {
                Peer = peer,
                SourceName = options.LocalNodeName,
                Underlay = underlayState,
                UnderlayDetail = underlayDetail,
                Overlay = overlay,
                OverlayDetail = overlayDetail,
                FullSizePassed = fullSize,
                DeviceMtu = deviceMtu,
                PathMtu = pathMtu,
                RoundTripMs = roundTrip,
                PodEcho = podEcho,
                PodProbeAddress = probe?.Address.ToString(),
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
            if (observation.PodEcho == PathState.Answered)
            {
                // Trust the packet: what the host checks predicted for pods did not stop the probe pod's echo.
                foreach (HostFinding predicted in observation.HostFindings.Where(f => !f.SilencesOverlay && f.Problem != HostProblem.FirewallUndetermined))
                {
                    Notes.Enqueue(predicted.IsFirewall
                        ? $"{peer.Name}: the probe pod's ICMP echo passed, yet the firewall judge finds that {predicted.Reason} It stands: the judge rules on UDP (DNS), and that rule lets ICMP echoes through."
                        : $"{peer.Name}: the probe pod's echo passed, so this did not apply and is not in the verdict: {predicted.Reason}");
                }
            }

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
                PodPathReached = observation.PodEcho switch { PathState.Answered => true, PathState.Silent => false, _ => null },
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

            while (samples.Count < _roundTripSamples)
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
