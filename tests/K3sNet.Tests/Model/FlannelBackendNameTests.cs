namespace K3sNet.Tests.Model
{
    public sealed class FlannelBackendNameTests
    {
        [Theory]
        [InlineData("vxlan", FlannelBackend.Vxlan)]
        [InlineData("host-gw", FlannelBackend.HostGw)]
        [InlineData("HostGw", FlannelBackend.HostGw)]
        [InlineData("wireguard-native", FlannelBackend.WireguardNative)]
        [InlineData(" WireguardNative ", FlannelBackend.WireguardNative)]
        [InlineData("wireguard", FlannelBackend.WireguardNative)]
        [InlineData("NONE", FlannelBackend.None)]
        public void Reads_k3s_and_enum_spellings(string text, FlannelBackend expected)
        {
            Assert.True(FlannelBackendName.TryParse(text, out FlannelBackend backend));
            Assert.Equal(expected, backend);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("extension")]
        [InlineData("ipsec")]
        [InlineData("host_gw")]
        public void Rejects_what_k3s_does_not_run(string? text)
        {
            Assert.False(FlannelBackendName.TryParse(text, out _));
        }

        [Fact]
        public void Every_backend_round_trips_through_its_k3s_name()
        {
            foreach (FlannelBackend backend in System.Enum.GetValues<FlannelBackend>())
            {
                Assert.True(FlannelBackendName.TryParse(backend.ToK3sName(), out FlannelBackend parsed));
                Assert.Equal(backend, parsed);
            }
        }
    }
}
