using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Kernel mode's last look across all peers. A peer answers an echo through flannel.1 with a new VXLAN datagram to
    /// this node's UDP 8472, so when this node's own group drops that port, every peer looks blocked while each answers
    /// on its underlay. Only the whole set tells that apart from many peers' groups each dropping it, so VxlanBlocked
    /// results wait until a peer answers through VXLAN (then nothing is common and they go out as they are) or every
    /// peer has finished. Blocked peers finish at about the timeout anyway; the others stream out as they finish.
    /// </summary>
    internal static class CommonCauseHold
    {
        /// <summary>The smallest number of silent peers that points at this node rather than at one peer.</summary>
        public const int MinimumSilentPeers = 2;

        public static async IAsyncEnumerable<VxlanPathResult> RunAsync(
            IAsyncEnumerable<PeerObservation> observed,
            Func<PeerObservation, VxlanPathResult> judge,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var held = new List<(PeerObservation Observation, VxlanPathResult Result)>();
            bool anyAnswered = false;
            int tested = 0;
            await foreach (PeerObservation observation in observed.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                tested++;
                anyAnswered |= observation.Overlay == PathState.Answered;
                VxlanPathResult result = judge(observation);
                if (!anyAnswered && result.Verdict == VxlanVerdict.VxlanBlocked)
                {
                    held.Add((observation, result));
                    continue;
                }

                // Only an answer through VXLAN settles it: a peer that is down or misconfigured says nothing about this
                // node's port, so it goes out at once and the blocked ones keep waiting, to be counted together.
                if (anyAnswered)
                {
                    foreach ((_, VxlanPathResult waiting) in held)
                    {
                        yield return waiting;
                    }

                    held.Clear();
                }

                yield return result;
            }

            bool common = held.Count >= MinimumSilentPeers;
            foreach ((PeerObservation observation, VxlanPathResult result) in held)
            {
                yield return common ? judge(observation with { SilentPeers = (held.Count, tested) }) : result;
            }
        }
    }
}
