using K3sNet.Aws;

namespace K3sNet.Tests.Aws
{
    public sealed class NetworkAclEvaluatorTests
    {
        private static Ec2NetworkAcl Acl(params NetworkAclEntry[] entries) => new("acl-1", "vpc-1", entries, new[] { "subnet-a" });

        [Fact]
        public void The_first_matching_entry_in_rule_number_order_decides()
        {
            Ec2NetworkAcl acl = Acl(
                new NetworkAclEntry(200, "-1", false, false, "0.0.0.0/0", null, null, null),
                new NetworkAclEntry(100, "17", true, false, "10.0.0.0/16", null, 8472, 8472));

            Assert.Null(NetworkAclEvaluator.Blocks(acl, false, TrafficProtocol.Udp, 8472, 8472, "10.0.3.4"));
            Assert.Equal("acl-1 inbound rule 200 (deny all from 0.0.0.0/0)", NetworkAclEvaluator.Blocks(acl, false, TrafficProtocol.Udp, 8472, 8472, "192.0.2.1"));
        }

        [Fact]
        public void Without_a_matching_entry_the_default_rule_denies()
        {
            Ec2NetworkAcl acl = Acl(new NetworkAclEntry(100, "6", true, false, "0.0.0.0/0", null, 6443, 6443));

            Assert.StartsWith("acl-1 inbound rule *", NetworkAclEvaluator.Blocks(acl, false, TrafficProtocol.Udp, 8472, 8472, "10.0.0.1"), System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_port_range_passes_only_when_every_port_is_allowed_by_its_first_match()
        {
            Ec2NetworkAcl partial = Acl(
                new NetworkAclEntry(100, "6", true, true, "0.0.0.0/0", null, 32768, 40000),
                new NetworkAclEntry(110, "6", false, true, "0.0.0.0/0", null, 40001, 65535));
            Ec2NetworkAcl whole = Acl(new NetworkAclEntry(100, "6", true, true, "0.0.0.0/0", null, 1024, 65535));

            Assert.Contains("rule 110", NetworkAclEvaluator.Blocks(partial, true, TrafficProtocol.Tcp, 32768, 60999, "10.0.0.1"), System.StringComparison.Ordinal);
            Assert.Null(NetworkAclEvaluator.Blocks(whole, true, TrafficProtocol.Tcp, 32768, 60999, "10.0.0.1"));
        }

        [Fact]
        public void Ipv6_peers_match_only_ipv6_entries()
        {
            Ec2NetworkAcl acl = Acl(
                new NetworkAclEntry(100, "-1", true, false, "0.0.0.0/0", null, null, null),
                new NetworkAclEntry(101, "-1", false, false, null, "::/0", null, null));

            Assert.Null(NetworkAclEvaluator.Blocks(acl, false, TrafficProtocol.Udp, 8472, 8472, "10.0.0.1"));
            Assert.Contains("rule 101", NetworkAclEvaluator.Blocks(acl, false, TrafficProtocol.Udp, 8472, 8472, "2001:db8::1"), System.StringComparison.Ordinal);
        }
    }
}
