using System.Collections.Generic;
using K3sNet.Emulators.KubeApi;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>The emulator's own reading of label selectors: the tests above depend on it matching the API server.</summary>
    public sealed class EmulatorTests
    {
        private static readonly Dictionary<string, string> Labels = new() { ["k8s-app"] = "kube-dns", ["tier"] = "control" };

        [Theory]
        [InlineData("", true)]
        [InlineData("k8s-app=kube-dns", true)]
        [InlineData("k8s-app==kube-dns,tier=control", true)]
        [InlineData("k8s-app=kube-dns,tier=data", false)]
        [InlineData("k8s-app!=kube-dns", false)]
        [InlineData("tier", true)]
        [InlineData("!tier", false)]
        [InlineData("missing!=x", true)]
        public void Equality_selectors_match_as_the_api_server_matches_them(string selector, bool matches)
        {
            Assert.True(LabelSelector.TryParse(selector, out LabelSelector parsed, out _));
            Assert.Equal(matches, parsed.Matches(Labels));
        }

        [Fact]
        public void Set_based_selectors_are_refused_rather_than_misread()
        {
            Assert.False(LabelSelector.TryParse("tier in (control,data)", out _, out string? error));
            Assert.Contains("set-based", error, System.StringComparison.Ordinal);
        }
    }
}
