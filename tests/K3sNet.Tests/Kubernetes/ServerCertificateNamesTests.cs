using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>kubectl's (Go's) rule for whether a server certificate names the address used.</summary>
    public sealed class ServerCertificateNamesTests
    {
        private static readonly string[] K3sNames = { "kubernetes", "localhost", "k3s-server-1", "*.k3s.example", "127.0.0.1", "::1", "10.0.1.10" };

        [Theory]
        [InlineData("10.0.1.10", true)]
        [InlineData("127.0.0.1", true)]
        [InlineData("[::1]", true)]
        [InlineData("0:0:0:0:0:0:0:1", true)]
        [InlineData("LOCALHOST", true)]
        [InlineData("api.k3s.example", true)]
        [InlineData("203.0.113.5", false)]
        [InlineData("127.0.0.2", false)]
        [InlineData("a.b.k3s.example", false)]
        [InlineData("k3s.example", false)]
        [InlineData("k3s-server-2", false)]
        public void An_address_is_covered_only_by_an_equal_ip_or_a_matching_dns_name(string address, bool covered)
        {
            Assert.Equal(covered, ServerCertificateNames.Cover(K3sNames, address));
        }

        [Fact]
        public void An_ip_address_is_never_matched_by_a_dns_name_that_spells_it()
        {
            Assert.False(ServerCertificateNames.Cover(new[] { "kubernetes" }, "10.0.1.10"));
            Assert.False(ServerCertificateNames.Cover(new[] { "*.0.1.10" }, "10.0.1.10"));
        }
    }
}
