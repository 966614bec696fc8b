using K3sNet.Firewall;

namespace K3sNet.Tests.Firewall
{
    /// <summary>The same rulesets loaded with iptables-legacy-restore and printed by iptables-legacy-save.</summary>
    public sealed class IptablesSaveTests
    {
        private static FirewallRuleset Legacy(string name) => IptablesSave.Read(Rulesets.Text(name + ".legacy"));

        [Fact]
        public void Oracle_Clouds_REJECT_is_found_in_legacy_iptables_by_its_position()
        {
            RulesetOutcome vxlan = RulesetJudge.Judge(Legacy("oci"), Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Reject, vxlan.Decision);
            Assert.Equal("icmp type host-prohibited", vxlan.RejectType);
            Assert.Equal(FirewallOrigin.OracleCloud, vxlan.Origin);
            Assert.Equal("table ip filter, chain INPUT, rule 6 '-j REJECT --reject-with icmp-host-prohibited'", vxlan.Where);
            Assert.StartsWith("iptables -I INPUT 6 -s 10.0.1.11 -p udp --dport 8472 -j ACCEPT", FirewallRemedy.For(vxlan, "10.42.0.0/16"));
        }

        [Fact]
        public void Ufw_on_legacy_iptables_drops_at_its_policies()
        {
            FirewallRuleset ufw = Legacy("ufw");
            RulesetOutcome vxlan = RulesetJudge.Judge(ufw, Rulesets.VxlanFromNodeB);
            Assert.Equal(FirewallDecision.Drop, vxlan.Decision);
            Assert.Equal(FirewallOrigin.Ufw, vxlan.Origin);
            Assert.Equal("table ip filter, chain INPUT, policy drop", vxlan.Where);
            Assert.Equal(FirewallDecision.Drop, RulesetJudge.Judge(ufw, Rulesets.PodsToNodeB).Decision);
        }

        [Fact]
        public void Legacy_docker_with_k3s_forwards_pods_and_docker_alone_does_not()
        {
            Assert.Equal(FirewallDecision.Accept, RulesetJudge.Judge(Legacy("docker-k3s"), Rulesets.PodsToNodeB).Decision);
            RulesetOutcome docker = RulesetJudge.Judge(Legacy("docker"), Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Drop, docker.Decision);
            Assert.Equal(FirewallOrigin.Docker, docker.Origin);
        }

        [Fact]
        public void A_ufw_route_deny_on_legacy_iptables_is_its_rule_in_ufw_user_forward()
        {
            RulesetOutcome pods = RulesetJudge.Judge(Legacy("ufw-route-deny"), Rulesets.PodsToNodeB);
            Assert.Equal(FirewallDecision.Drop, pods.Decision);
            Assert.Equal("table ip filter, chain ufw-user-forward, rule 1 '-i cni0 -o flannel.1 -j DROP'", pods.Where);
        }
    }
}
