using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class CommonCauseHoldTests
    {
        private static PeerObservation Observed(string peer, PathState overlay, PathState underlay = PathState.Answered) => new()
        {
            Peer = FlannelStateCheckTests.Peer(peer, "10.0.1.13", "10.42.2.0", "5a:93:f5:ec:c1:e8", "10.42.2.0/24"),
            SourceName = "agent-2",
            Underlay = underlay,
            Overlay = overlay,
            FullSizePassed = overlay == PathState.Answered ? true : null,
            DeviceMtu = 1450,
            ChecksumOffloadBugApplies = false,
        };

        private static async IAsyncEnumerable<PeerObservation> Stream(params PeerObservation[] observations)
        {
            foreach (PeerObservation observation in observations)
            {
                await Task.Yield();
                yield return observation;
            }
        }

        private static VxlanPathResult Judge(PeerObservation o)
        {
            var (verdict, reason, _) = VxlanVerdictRules.Judge(o);
            return new VxlanPathResult { Source = o.SourceName, Destination = o.Peer.Name, Overlay = o.Overlay, Verdict = verdict, Reason = reason };
        }

        private static async Task<List<VxlanPathResult>> Run(params PeerObservation[] observations)
        {
            var results = new List<VxlanPathResult>();
            await foreach (VxlanPathResult result in CommonCauseHold.RunAsync(Stream(observations), Judge, CancellationToken.None))
            {
                results.Add(result);
            }

            return results;
        }

        [Fact]
        public async Task Every_peer_silent_through_VXLAN_names_this_nodes_own_group_in_each_result()
        {
            List<VxlanPathResult> results = await Run(Observed("server", PathState.Silent), Observed("agent-1", PathState.Silent));
            Assert.Equal(new[] { "server", "agent-1" }, results.Select(r => r.Destination));
            Assert.All(results, r => Assert.Equal(VxlanVerdict.VxlanBlocked, r.Verdict));
            Assert.All(results, r => Assert.StartsWith("No peer answers through VXLAN while all answer on their underlay: agent-2's own security group", r.Reason));
        }

        [Fact]
        public async Task One_peer_answering_through_VXLAN_leaves_each_blocked_path_its_own_reason_and_order()
        {
            List<VxlanPathResult> results = await Run(
                Observed("server", PathState.Silent), Observed("agent-1", PathState.Silent), Observed("agent-3", PathState.Answered), Observed("agent-4", PathState.Silent));
            Assert.Equal(new[] { "server", "agent-1", "agent-3", "agent-4" }, results.Select(r => r.Destination));
            Assert.All(results.Where(r => r.Verdict == VxlanVerdict.VxlanBlocked), r => Assert.StartsWith($"UDP 8472 between agent-2 and {r.Destination} is dropped", r.Reason));
        }

        [Fact]
        public async Task A_peer_that_is_down_goes_out_at_once_and_the_blocked_ones_are_still_counted_together()
        {
            // The unreachable peer finishes between the blocked ones (all finish at about the timeout): it says nothing
            // about this node's port, so it must neither release the first blocked result alone nor split the count.
            List<VxlanPathResult> results = await Run(
                Observed("server", PathState.Silent), Observed("agent-3", PathState.Silent, underlay: PathState.Silent), Observed("agent-1", PathState.Silent));
            Assert.Equal(new[] { "agent-3", "server", "agent-1" }, results.Select(r => r.Destination));
            Assert.Equal(VxlanVerdict.NodeUnreachable, results[0].Verdict);
            Assert.All(results.Skip(1), r => Assert.StartsWith("No peer answers through VXLAN while 2 of the 3 answer on their underlay: agent-2's own security group", r.Reason));
        }

        [Fact]
        public async Task A_single_silent_peer_is_not_enough_to_blame_this_node()
        {
            List<VxlanPathResult> results = await Run(Observed("server", PathState.Silent));
            Assert.StartsWith("UDP 8472 between agent-2 and server is dropped", Assert.Single(results).Reason);
        }
    }
}
