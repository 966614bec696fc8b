using K3sNet.Aws;

namespace K3sNet.Tests.Aws
{
    public sealed class IngressPlannerTests
    {
        [Fact]
        public void Describes_a_rule_as_k3s_purpose_K3sNet()
        {
            Assert.Equal("k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes) (K3sNet)", IngressPlanner.Description(TrafficProtocol.Udp, 8472, 8472, null));
            Assert.Equal("k3s metrics (K3sNet)", IngressPlanner.Description(TrafficProtocol.Tcp, 9100, 9100, "metrics"));
            Assert.Equal("k3s tcp/9100 (K3sNet)", IngressPlanner.Description(TrafficProtocol.Tcp, 9100, 9100, null));
            Assert.Equal("k3s caf (K3sNet)", IngressPlanner.Description(TrafficProtocol.Tcp, 1, 1, "café")); // EC2 refuses non-ASCII
        }

        [Fact]
        public void Knows_which_ports_must_never_face_the_internet()
        {
            Assert.True(IngressPlanner.IsClusterOnly(TrafficProtocol.Udp, 8472, 8472));
            Assert.True(IngressPlanner.IsClusterOnly(TrafficProtocol.Tcp, 10250, 10250));
            Assert.True(IngressPlanner.IsClusterOnly(TrafficProtocol.Tcp, 2000, 3000));
            Assert.True(IngressPlanner.IsClusterOnly(TrafficProtocol.All, 0, 65535));
            Assert.False(IngressPlanner.IsClusterOnly(TrafficProtocol.Tcp, 6443, 6443));
            Assert.False(IngressPlanner.IsClusterOnly(TrafficProtocol.Tcp, 443, 443));
        }

        [Fact]
        public void A_broader_existing_rule_already_admits_what_is_wanted()
        {
            var existing = new[]
            {
                new SecurityGroupRule("udp", 8000, 9000, CidrIpv4: "10.0.0.0/16", RuleId: "sgr-1"),
                new SecurityGroupRule("-1", null, null, ReferencedGroupId: "sg-a", RuleId: "sgr-2"),
            };

            Assert.Equal("sgr-1", IngressPlanner.Covering(existing, SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "10.0.1.5/32", null))?.RuleId);
            Assert.Equal("sgr-2", IngressPlanner.Covering(existing, SecurityGroupRule.From(TrafficProtocol.Tcp, 10250, 10250, "sg-a", null))?.RuleId);
            Assert.Null(IngressPlanner.Covering(existing, SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, "10.1.0.0/16", null)));
            Assert.Null(IngressPlanner.Covering(existing, SecurityGroupRule.From(TrafficProtocol.Tcp, 8472, 8472, "10.0.1.5/32", null)));
        }

        [Fact]
        public void Cidrs_are_held_in_canonical_form()
        {
            Assert.Equal("100.68.0.0/18", Cidr.Parse("100.68.0.18/18").ToString());
            Assert.Equal("10.0.0.5/32", Cidr.Parse("10.0.0.5").ToString());
            Assert.Equal("2001:db8::/32", Cidr.Parse("2001:db8:1::/32").ToString());
            Assert.True(Cidr.Parse("::/0").IsWorld());
            Assert.False(Cidr.TryParse("10.0.0.0/33", out _));
        }

        [Fact]
        public void Cidrs_contain_addresses_and_narrower_networks_of_their_own_family()
        {
            Assert.True(Cidr.Parse("10.0.0.0/16").Contains(Cidr.Parse("10.0.3.0/24")));
            Assert.False(Cidr.Parse("10.0.3.0/24").Contains(Cidr.Parse("10.0.0.0/16")));
            Assert.False(Cidr.Parse("0.0.0.0/0").Contains(Cidr.Parse("2001:db8::/32")));
            Assert.True(Cidr.Parse("10.0.0.0/16").Contains("10.0.255.1"));
            Assert.False(Cidr.Parse("10.0.0.0/16").Contains("10.1.0.1"));
            Assert.True(Cidr.Parse("2001:db8::/32").Contains("2001:db8:ffff::1"));
            Assert.False(Cidr.Parse("2001:db8::/32").Contains("10.0.0.1"));
            Assert.True(Cidr.Parse("2001:db8::1").IsIPv6());
            Assert.Equal("2001:db8::1/128", Cidr.Parse("2001:db8::1").ToString());
        }

        [Theory]
        [InlineData("172.31.255.1", true)]
        [InlineData("172.32.0.1", false)]
        [InlineData("100.64.0.1", true)]
        [InlineData("fd00::1", true)]
        [InlineData("2001:db8::1", false)]
        [InlineData("not an address", false)]
        public void Private_addresses_are_rfc1918_cgnat_and_unique_local(string address, bool expected)
        {
            Assert.Equal(expected, Cidr.IsPrivate(address));
        }

        [Theory]
        [InlineData("172.16/12")] // IPAddress reads 172.0.0.16: the rule would admit public 172.0.0.0/12
        [InlineData("10/8")]
        [InlineData("0x0a.0.0.0/8")]
        [InlineData("010.0.0.0/8")]
        [InlineData("10.0.0.256/32")]
        [InlineData("fe80::1%2/128")]
        public void Only_full_addresses_are_cidr_blocks(string text)
        {
            Assert.False(Cidr.TryParse(text, out _));
        }
    }
}
