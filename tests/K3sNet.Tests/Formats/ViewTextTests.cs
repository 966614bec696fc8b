using Xunit;

namespace K3sNet.Tests.Formats
{
    /// <summary>The wrapping the format views use: at spaces and after commas, never inside a word that fits.</summary>
    public sealed class ViewTextTests
    {
        [Theory]
        [InlineData("k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes)", 29, "k3s Flannel VXLAN overlay\n(pod-to-pod traffic between\nnodes)")]
        [InlineData("sg-0123456789abcdef0: grant from sg-0fedcba9876543210", 23, "sg-0123456789abcdef0:\ngrant from\nsg-0fedcba9876543210")]
        [InlineData("control-plane,etcd,master", 14, "control-plane,\netcd,master")]
        [InlineData("NotVxlan 12, RateLimited 3", 19, "NotVxlan 12,\nRateLimited 3")]
        [InlineData("fits on one line", 16, "fits on one line")]
        [InlineData("abcdefghij", 4, "abcd\nefgh\nij")]
        public void Wraps_between_words_to_the_width(string text, int width, string expected)
        {
            Assert.Equal(expected, ViewText.Wrap(text, width));
        }

        [Fact]
        public void Wraps_nothing_to_nothing()
        {
            Assert.Equal(string.Empty, ViewText.Wrap(null, 10));
        }
    }
}
