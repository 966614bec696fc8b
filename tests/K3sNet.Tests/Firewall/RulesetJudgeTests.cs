using K3sNet.Firewall;

namespace K3sNet.Tests.Firewall
{
    public sealed class RulesetJudgeTests
    {
        [Fact]
        public void Ufw_default_deny_drops_VXLAN_and_forwarded_pods_at_the_policy_and_says_ufw_allow()
        {
            FirewallRuleset ufw = Rulesets.Nft("ufw");
            RulesetOutcome vxlan = RulesetJudge.Judge(ufw, Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Drop, vxlan.Decision);
            Assert.Equal(FirewallOrigin.Ufw, vxlan.Origin);
            Assert.Equal("table ip filter, chain INPUT, policy drop", vxlan.Where);
            Assert.Equal("ufw allow proto udp from 10.0.1.11 to any port 8472", FirewallRemedy.For(vxlan, "10.42.0.0/16"));

            RulesetOutcome pods = RulesetJudge.Judge(ufw, Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Drop, pods.Decision);
            Assert.Equal(FirewallOrigin.Ufw, pods.Origin);
            Assert.Equal("table ip filter, chain FORWARD, policy drop", pods.Where);
            Assert.Equal("ufw route allow in on cni0 out on flannel.1", FirewallRemedy.For(pods, "10.42.0.0/16"));
            Assert.Equal("ufw route allow in on flannel.1 out on cni0", FirewallRemedy.For(RulesetJudge.Judge(ufw, Rulesets.PodsFromNodeB), "10.42.0.0/16"));
        }

        [Fact]
        public void A_ufw_route_deny_is_named_by_its_rule_and_only_blocks_its_direction()
        {
            FirewallRuleset ufw = Rulesets.Nft("ufw-route-deny");
            RulesetOutcome pods = RulesetJudge.Judge(ufw, Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Drop, pods.Decision);
            Assert.Equal(FirewallOrigin.Ufw, pods.Origin);
            Assert.Equal("ufw-user-forward", pods.Chain!.Name);
            Assert.Equal(1, pods.Rule!.Position);
            Assert.StartsWith("iifname \"cni0\" oifname \"flannel.1\"", pods.Rule.Text);
            Assert.EndsWith("drop", pods.Rule.Text);
            Assert.Contains($"rule handle {pods.Rule.Handle}", pods.Where);
            Assert.Equal("ufw route allow in on cni0 out on flannel.1", FirewallRemedy.For(pods, "10.42.0.0/16"));

            Assert.Equal(FirewallDecision.Accept, RulesetJudge.Judge(ufw, Rulesets.PodsFromNodeB).Decision);
        }

        [Fact]
        public void Dockers_FORWARD_policy_drop_blocks_pods_and_the_fix_goes_into_DOCKER_USER()
        {
            FirewallRuleset docker = Rulesets.Nft("docker");
            Assert.Equal(FirewallDecision.Accept, RulesetJudge.Judge(docker, Rulesets.VxlanFromNodeB).Decision);

            RulesetOutcome pods = RulesetJudge.Judge(docker, Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Drop, pods.Decision);
            Assert.Equal(FirewallOrigin.Docker, pods.Origin);
            Assert.Equal("table ip filter, chain FORWARD, policy drop", pods.Where);
            Assert.StartsWith("iptables -I DOCKER-USER -i cni0 -o flannel.1 -j ACCEPT", FirewallRemedy.For(pods, "10.42.0.0/16"));
            Assert.Contains("iptables -P FORWARD ACCEPT", FirewallRemedy.For(pods, "10.42.0.0/16"));
        }

        [Fact]
        public void K3ss_own_FLANNEL_FWD_accepts_pods_past_Dockers_policy_drop()
        {
            FirewallRuleset docker = Rulesets.Nft("docker-k3s");
            RulesetOutcome pods = RulesetJudge.Judge(docker, Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Accept, pods.Decision);
            Assert.Equal("FLANNEL-FWD", pods.Chain!.Name);
            Assert.Equal(FirewallDecision.Accept, RulesetJudge.Judge(docker, Rulesets.PodsFromNodeB).Decision);
        }

        [Fact]
        public void Oracle_Clouds_REJECT_is_named_with_its_type_and_the_fix_inserts_before_it()
        {
            FirewallRuleset oci = Rulesets.Nft("oci");
            RulesetOutcome vxlan = RulesetJudge.Judge(oci, Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Reject, vxlan.Decision);
            Assert.Equal("icmp type host-prohibited", vxlan.RejectType);
            Assert.Equal(FirewallOrigin.OracleCloud, vxlan.Origin);
            Assert.Equal(6, vxlan.Rule!.Position);
            Assert.Equal("table ip filter, chain INPUT, rule handle 10 'reject with icmp type host-prohibited'", vxlan.Where);
            Assert.StartsWith("iptables -I INPUT 6 -s 10.0.1.11 -p udp --dport 8472 -j ACCEPT (before the REJECT).", FirewallRemedy.For(vxlan, "10.42.0.0/16"));

            RulesetOutcome pods = RulesetJudge.Judge(oci, Rulesets.PodsFromNodeB);
            Assert.Equal(FirewallDecision.Reject, pods.Decision);
            Assert.Equal(FirewallOrigin.OracleCloud, pods.Origin);
            Assert.StartsWith("iptables -I FORWARD 1 -i flannel.1 -o cni0 -j ACCEPT", FirewallRemedy.For(pods, "10.42.0.0/16"));
        }

        [Fact]
        public void Firewalld_rejects_at_the_end_of_its_chains_and_the_fix_is_the_k3s_docs_trusted_zone()
        {
            FirewallRuleset firewalld = Rulesets.Nft("firewalld");
            RulesetOutcome vxlan = RulesetJudge.Judge(firewalld, Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Reject, vxlan.Decision);
            Assert.Equal("icmpx type admin-prohibited", vxlan.RejectType);
            Assert.Equal(FirewallOrigin.Firewalld, vxlan.Origin);
            Assert.Equal("filter_INPUT", vxlan.Chain!.Name);
            Assert.Equal("firewall-cmd --permanent --add-port=8472/udp && firewall-cmd --reload", FirewallRemedy.For(vxlan, "10.42.0.0/16"));

            RulesetOutcome pods = RulesetJudge.Judge(firewalld, Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Reject, pods.Decision);
            Assert.Equal("filter_FORWARD", pods.Chain!.Name);
            Assert.Equal(
                "firewall-cmd --permanent --zone=trusted --add-source=10.42.0.0/16 && firewall-cmd --permanent --zone=trusted --add-source=10.43.0.0/16 && firewall-cmd --reload",
                FirewallRemedy.For(pods, "10.42.0.0/16"));
        }

        [Fact]
        public void Without_the_text_listing_an_xtables_match_leaves_the_outcome_undetermined_naming_that_rule()
        {
            // iptables-nft's conntrack match is opaque in JSON: "ct state related,established accept" could be read
            // either way, and it must not become a false accept or drop.
            RulesetOutcome vxlan = RulesetJudge.Judge(Rulesets.Nft("oci", withListing: false), Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Undetermined, vxlan.Decision);
            Assert.Null(FirewallRemedy.For(vxlan, "10.42.0.0/16"));
            Assert.Equal("table ip filter, chain INPUT, rule handle 5 'xt match conntrack counter accept'", vxlan.Where);
        }

        [Fact]
        public void An_empty_ruleset_accepts_everything()
        {
            RulesetOutcome outcome = RulesetJudge.Judge(NftJson.Read("{\"nftables\":[]}"), Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Accept, outcome.Decision);
            Assert.Equal("no base chain", outcome.Where);
        }

        [Fact]
        public void A_lab_nodes_own_table_that_admits_no_VXLAN_drops_it_at_its_last_rule_and_the_fix_is_an_nft_insert()
        {
            // Captured from node-c of a 3-node lab built with -NoVxlanInto node-c (its set vxlan_sources is empty).
            FirewallRuleset lab = Rulesets.Nft("lab-node-c");
            PacketClass fromNodeA = HostPacketClasses.VxlanIn("eth0", System.Net.IPAddress.Parse("10.0.1.10"), System.Net.IPAddress.Parse("10.0.1.12"), "node-a", 8472);
            RulesetOutcome vxlan = RulesetJudge.Judge(lab, fromNodeA);
            Assert.Equal(FirewallDecision.Drop, vxlan.Decision);
            Assert.Equal(FirewallOrigin.Nftables, vxlan.Origin);
            Assert.Equal("table inet k3snetlab, chain input, rule handle 8 'drop'", vxlan.Where);
            Assert.Equal("nft insert rule inet k3snetlab input position 8 ip saddr 10.0.1.10 udp dport 8472 accept", FirewallRemedy.For(vxlan, "10.42.0.0/16"));

            // Pod traffic is forwarded, and this table filters only the input hook.
            Assert.Equal(FirewallDecision.Accept, RulesetJudge.Judge(lab, Rulesets.PodsToNodeB).Decision);
        }
    }
}
