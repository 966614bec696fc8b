using System.Net;
using K3sNet.Firewall;

namespace K3sNet.Tests.Firewall
{
    /// <summary>Hand-written nftables shapes (Fixtures/nft-shapes.nft): sets with ranges, a verdict map, return, goto, priorities, a meter.</summary>
    public sealed class NftShapesTests
    {
        private static readonly FirewallRuleset Shapes = Rulesets.Nft("nft-shapes");

        private static RulesetOutcome VxlanFrom(string address) =>
            RulesetJudge.Judge(Shapes, HostPacketClasses.VxlanIn("eth0", IPAddress.Parse(address), IPAddress.Parse("10.0.1.10"), "peer", 8472));

        [Theory]
        [InlineData("10.0.1.11")]
        [InlineData("10.0.1.25")]
        public void A_verdict_map_jumps_to_the_chain_whose_named_set_admits_the_peer(string peer)
        {
            RulesetOutcome outcome = VxlanFrom(peer);
            Assert.Equal(FirewallDecision.Accept, outcome.Decision);
            Assert.Equal("from_underlay", outcome.Chain!.Name);
            Assert.Equal(10, outcome.Rule!.Handle);
        }

        [Fact]
        public void A_goto_ends_in_the_chain_it_goes_to()
        {
            RulesetOutcome outcome = VxlanFrom("10.0.1.12");
            Assert.Equal(FirewallDecision.Reject, outcome.Decision);
            Assert.Equal("icmpx type admin-prohibited", outcome.RejectType);
            Assert.Equal("table inet host, chain refuse, rule handle 12 'reject with icmpx type admin-prohibited'", outcome.Where);
            Assert.Equal("nft insert rule inet host refuse position 12 ip saddr 10.0.1.12 udp dport 8472 accept", FirewallRemedy.For(outcome, "10.42.0.0/16"));
        }

        [Fact]
        public void A_return_goes_back_to_the_base_chain_and_its_policy()
        {
            RulesetOutcome outcome = VxlanFrom("192.168.5.5");
            Assert.Equal(FirewallDecision.Drop, outcome.Decision);
            Assert.Equal("table inet host, chain input, policy drop", outcome.Where);
            Assert.Equal("nft add rule inet host input ip saddr 192.168.5.5 udp dport 8472 accept", FirewallRemedy.For(outcome, "10.42.0.0/16"));
        }

        [Fact]
        public void A_meter_decides_between_accept_and_drop_so_the_outcome_is_undetermined()
        {
            RulesetOutcome outcome = RulesetJudge.Judge(Shapes, Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Undetermined, outcome.Decision);
            Assert.StartsWith("table inet host, chain forward, rule handle 14", outcome.Where);
        }

        [Fact]
        public void An_accept_in_an_earlier_base_chain_still_passes_through_the_later_ones()
        {
            // table ip early (priority -10) accepts, then table inet host's forward (priority 0) runs and accepts by policy.
            RulesetOutcome outcome = RulesetJudge.Judge(Shapes, Rulesets.PodsFromNodeB);
            Assert.Equal(FirewallDecision.Accept, outcome.Decision);
            Assert.Equal("host", outcome.Chain!.Table);
            Assert.True(outcome.IsPolicy);
        }
    }
}
