using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class ChecksumOffloadBugTests
    {
        [Theory]
        [InlineData("5.4.0-26-generic", true)]
        [InlineData("5.4.41", false)]
        [InlineData("5.4.40-foo", true)]
        [InlineData("4.18.0-305.el8.x86_64", true)]
        [InlineData("4.19.123", false)]
        [InlineData("4.14.180", true)]
        [InlineData("4.14.181", false)]
        [InlineData("5.6.13", false)]
        [InlineData("5.5.19", true)]
        [InlineData("5.7", false)]
        [InlineData("6.8.0-54-generic", false)]
        [InlineData("6.18.44-fc-v669", false)]
        public void Judges_a_kernel_release_by_the_fixed_versions(string release, bool affected)
        {
            Assert.Equal(affected, ChecksumOffloadBug.IsAffected(release));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("unknown")]
        [InlineData("99999999999.1")]
        [InlineData("5.99999999999")]
        public void Does_not_guess_from_something_that_is_not_a_version(string? release)
        {
            Assert.Null(ChecksumOffloadBug.IsAffected(release));
        }
    }
}
