using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.Packets;
using K3sNet.Vxlan;

namespace K3sNet.Probing
{
    /// <summary>
    /// Test-K3sVxlan's probe mode: K3sNet's own RFC 7348 frames to Start-K3sVxlanResponder on each peer, for hosts where
    /// flannel is not running yet. Per peer, at once: the underlay check, a few small probes (loss, round trip) and one
    /// full-size probe with DF; only when small ones pass and the full one does not, a search for the largest size that
    /// passes (the parallel search kernel mode uses). So a healthy, blocked or unreachable peer costs at most one
    /// timeout, an MTU black hole about three, and peers run in parallel.
    /// </summary>
    internal sealed class ProbePathTester : IVxlanPathTester
    {
        private readonly ProbeSettings _settings;
        private readonly IcmpEchoSender? _icmp;

        /// <param name="icmp">Sends the underlay's ICMP echoes; null when this user may not, and then TCP 10250 alone decides.</param>
        public ProbePathTester(IcmpEchoSender? icmp, ProbeSettings? settings = null)
        {
            _icmp = icmp;
            _settings = settings ?? new ProbeSettings();
        }

        public IAsyncEnumerable<VxlanPathResult> TestAsync(IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options, CancellationToken cancellationToken) =>
            PeerFanOut.RunAsync(peers, options.MaxConcurrency, peer => TestPeerAsync(peer, options, cancellationToken), cancellationToken);

        /// <summary>Probes one peer and judges it.</summary>
        public async Task<VxlanPathResult> TestPeerAsync(VxlanPeer peer, VxlanTestOptions options, CancellationToken cancellationToken)
        {
            if (peer.UnderlayAddress is null)
            {
                return new VxlanPathResult
                {
                    Source = options.LocalNodeName,
                    Destination = peer.Name,
                    FromPort = options.Port,
                    ToPort = options.Port,
                    Verdict = VxlanVerdict.NotTested,
                    Reason = $"{peer.Name} has no underlay address to probe: give -ComputerName an address or a name that resolves.",
                };
            }

            ProbeMeasurement measurement = await MeasureAsync(peer, options, cancellationToken).ConfigureAwait(false);
            return ProbeVerdict.Judge(peer, options, measurement);
        }

        private async Task<ProbeMeasurement> MeasureAsync(VxlanPeer peer, VxlanTestOptions options, CancellationToken cancellationToken)
        {
            IPAddress address = peer.UnderlayAddress!;
            VxlanProbeSession session;
            try
            {
                session = VxlanProbeSession.Open(new IPEndPoint(address, options.Port), options.Vni, _settings.Transport);
            }
            catch (SocketException e)
            {
                return new ProbeMeasurement { SendFailure = e.Message };
            }

            await using (session.ConfigureAwait(false))
            {
                TimeSpan timeout = options.Timeout;
                int largest = _settings.LargestPacket ?? ((session.LocalInterfaceMtu() ?? 1500) - VxlanFrame.EncapsulationOverhead);
                largest = Math.Clamp(largest, ProbeFrame.MinimumInnerPacketSize, ProbeFrame.MaximumInnerPacketSize);
                int smallest = ProbeFrame.MinimumInnerPacketSize;

                Task<(PathState State, string? Detail)> underlay = UnderlayCheck.CheckAsync(_icmp, address, timeout, cancellationToken);
                Task<ProbeAnswer>[] small = Enumerable.Range(0, _settings.Count)
                    .Select(_ => session.ProbeAsync(smallest, timeout, cancellationToken))
                    .ToArray();
                Task<ProbeAnswer> full = session.ProbeAsync(largest, timeout, cancellationToken);
                ProbeAnswer[] smallAnswers = await Task.WhenAll(small).ConfigureAwait(false);
                ProbeAnswer fullAnswer = await full.ConfigureAwait(false);
                bool underlayAnswered = (await underlay.ConfigureAwait(false)).State == PathState.Answered;

                int received = smallAnswers.Count(a => a.Answered);
                int? pathMtu = null;
                if (fullAnswer.Answered)
                {
                    pathMtu = largest;
                }
                else if (received > 0)
                {
                    // The full size again beside the search: one lost datagram must not pass for a black hole.
                    Task<ProbeAnswer> again = session.ProbeAsync(largest, timeout, cancellationToken);
                    int searched = await PathMtuSearch.FindAsync(smallest, largest, async size =>
                        (await session.ProbeAsync(size, timeout, cancellationToken).ConfigureAwait(false)).Answered).ConfigureAwait(false);
                    pathMtu = (await again.ConfigureAwait(false)).Answered ? largest : searched;
                }

                return new ProbeMeasurement
                {
                    LocalAddress = session.LocalAddress.ToString(),
                    UnderlayAnswered = underlayAnswered,
                    Sent = smallAnswers.Length,
                    Received = received,
                    RoundTripsMs = smallAnswers.Where(a => a.Answered).Select(a => a.RoundTripMs).ToArray(),
                    PortUnreachable = smallAnswers.Any(a => a.Outcome == ProbeOutcome.PortUnreachable) || fullAnswer.Outcome == ProbeOutcome.PortUnreachable,
                    LargestTried = largest,
                    PathMtu = pathMtu,
                };
            }
        }
    }
}
