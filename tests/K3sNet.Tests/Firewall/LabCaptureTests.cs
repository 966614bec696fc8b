using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using K3sNet.Firewall;
using K3sNet.Tests.Vxlan;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Firewall
{
    /// <summary>
    /// node-c of a 3-node lab with its pod network (k3s's iptables-nft rules, kube-proxy's table), captured with each of
    /// the lab's host faults by Fixtures/Capture-LabRulesets.ps1 (branch lab-firewall): the ruleset as nft prints it and
    /// the node's sysctls, addresses and routes as sysctl and ip -j print them.
    /// </summary>
    public sealed class LabCaptureTests
    {
        private static readonly HostContext NodeC = new("node-c", IPAddress.Parse("10.0.1.12"), "eth0", "flannel.1", "10.42.2.0/24", 8472);

        private static readonly VxlanPeer NodeA = FlannelStateCheckTests.Peer("node-a", "10.0.1.10", "10.42.0.0", LabCapture.NodeAMac, "10.42.0.0/24");

        private static readonly VxlanPeer NodeB = FlannelStateCheckTests.Peer("node-b", "10.0.1.11", "10.42.1.0", LabCapture.NodeBMac, "10.42.1.0/24");

        internal static HostNetworkState Node(string name)
        {
            using JsonDocument node = JsonDocument.Parse(Rulesets.Text($"lab-{name}.node.json"));
            JsonElement root = node.RootElement;
            var rp = new Dictionary<string, int>();
            int? forward = null;
            foreach (JsonProperty sysctl in root.GetProperty("sysctls").EnumerateObject())
            {
                if (!int.TryParse(sysctl.Value.GetString(), out int value))
                {
                    continue;
                }

                if (sysctl.Name == "net.ipv4.ip_forward")
                {
                    forward = value;
                }
                else if (sysctl.Name.StartsWith("net.ipv4.conf.", System.StringComparison.Ordinal) && sysctl.Name.EndsWith(".rp_filter", System.StringComparison.Ordinal))
                {
                    rp[sysctl.Name["net.ipv4.conf.".Length..^".rp_filter".Length]] = value;
                }
            }

            JsonElement? cni0 = root.GetProperty("addrs").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(a => a!.Value.GetProperty("ifname").GetString() == "cni0");
            return new HostNetworkState
            {
                IpForward = forward,
                RpFilter = rp,
                Bridge = cni0 is JsonElement c ? HostNetworkReader.ReadBridge($"[{c.GetRawText()}]") : null,
                Routes = IpJson.ReadRoutes(root.GetProperty("routes").GetRawText()),
                Rulesets = new[] { Rulesets.Nft($"lab-{name}") },
            };
        }

        private static string[] Problems(string name, VxlanPeer peer) =>
            HostPathCheck.Check(Node(name), NodeC, peer).Select(f => f.Problem.ToString()).ToArray();

        private static HostFinding First(string name, VxlanPeer peer) => HostPathCheck.Check(Node(name), NodeC, peer).First();

        [Theory]
        [InlineData("healthy")]
        [InlineData("forward-policy-drop-flannel-kept")]
        public void A_lab_node_as_k3s_builds_it_passes_the_peers_VXLAN_and_the_pods_both_ways(string name)
        {
            Assert.Empty(HostPathCheck.Check(Node(name), NodeC, NodeA).Select(f => f.Reason));
            Assert.Empty(HostPathCheck.Check(Node(name), NodeC, NodeB).Select(f => f.Reason));
        }

        [Fact]
        public void Docker_started_after_k3s_drops_forwarded_pods_at_its_FORWARD_policy()
        {
            Assert.Equal(new[] { "FirewallDropsPods" }, Problems("forward-policy-drop", NodeA));
            HostFinding finding = First("forward-policy-drop", NodeA);
            Assert.Equal("node-c's own firewall drops pod traffic between cni0 and flannel.1 both ways (10.42.2.2 to and from node-a's pod 10.42.0.2): table ip filter, chain FORWARD, policy drop (Docker).", finding.Reason);
            Assert.Equal(
                "iptables -I DOCKER-USER -i cni0 -o flannel.1 -j ACCEPT && iptables -I DOCKER-USER -i flannel.1 -o cni0 -j ACCEPT " +
                "(Docker keeps DOCKER-USER's rules; 'iptables -P FORWARD ACCEPT' also works, but opens all forwarding and Docker sets DROP again when it restarts).",
                finding.Remedy);
        }

        [Fact]
        public void Ufws_deny_routed_drops_forwarded_pods_and_the_fix_is_ufw_route_allow()
        {
            Assert.Equal(new[] { "FirewallDropsPods" }, Problems("ufw-routed-deny", NodeA));
            HostFinding finding = First("ufw-routed-deny", NodeA);
            Assert.EndsWith("table ip filter, chain FORWARD, policy drop (ufw).", finding.Reason);
            Assert.Equal("ufw route allow in on cni0 out on flannel.1 && ufw route allow in on flannel.1 out on cni0", finding.Remedy);
        }

        [Fact]
        public void Ip_forward_off_on_the_lab_node()
        {
            Assert.Equal(new[] { "IpForwardOff" }, Problems("ip-forward-off", NodeA));
        }

        [Fact]
        public void Oracle_Clouds_REJECT_before_the_appended_8472_rule_rejects_the_peers_VXLAN()
        {
            HostFinding finding = First("oci-reject-vxlan", NodeA);
            Assert.Equal(HostProblem.FirewallDropsVxlan, finding.Problem);
            Assert.Contains("rejects (icmp type host-prohibited) UDP 8472 from node-a (10.0.1.10) on eth0: table ip filter, chain INPUT, rule handle", finding.Reason);
            Assert.EndsWith("(Oracle Cloud's image).", finding.Reason);
            Assert.StartsWith("iptables -I INPUT ", finding.Remedy);
            Assert.Contains(" -s 10.0.1.10 -p udp --dport 8472 -j ACCEPT (before the REJECT).", finding.Remedy);
        }

        [Fact]
        public void Strict_rp_filter_with_node_as_route_via_eth1_drops_only_node_as_VXLAN()
        {
            Assert.Equal(new[] { "RpFilterUnderlay" }, Problems("rp-filter-strict", NodeA));
            Assert.Empty(Problems("rp-filter-strict", NodeB));
            HostFinding finding = First("rp-filter-strict", NodeA);
            Assert.Contains("the route back to 10.0.1.10 leaves by eth1, not eth0", finding.Reason);
            Assert.Contains("'sysctl -w net.ipv4.conf.all.rp_filter=2'", finding.Remedy);
        }

        [Fact]
        public void Cni0_down_on_the_lab_node()
        {
            Assert.Equal(new[] { "BridgeDown" }, Problems("cni0-down", NodeA));
        }
    }
}
