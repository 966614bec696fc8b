using System.Linq;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class PathMtuSearchTests
    {
        [Theory]
        [InlineData(1350)]
        [InlineData(85)]
        [InlineData(1449)]
        [InlineData(84)]
        [InlineData(1000)]
        public async Task Finds_the_exact_largest_size_in_two_rounds(int pathMtu)
        {
            int probes = 0;
            int found = await PathMtuSearch.FindAsync(84, 1450, size =>
            {
                probes++;
                return Task.FromResult(size <= pathMtu);
            });
            Assert.Equal(pathMtu, found);
            Assert.True(probes <= 2 * PathMtuSearch.ProbesPerRound, $"{probes} probes");
        }

        [Fact]
        public void Spreads_a_round_evenly_and_strictly_inside_the_bracket()
        {
            var sizes = PathMtuSearch.NextRound(84, 1450);
            Assert.Equal(PathMtuSearch.ProbesPerRound, sizes.Count);
            Assert.True(sizes.All(s => s > 84 && s < 1450));
            Assert.Equal(sizes.OrderBy(s => s), sizes);
        }

        [Fact]
        public void Probes_every_size_once_the_bracket_is_small()
        {
            Assert.Equal(new[] { 1351, 1352, 1353 }, PathMtuSearch.NextRound(1350, 1354));
            Assert.Empty(PathMtuSearch.NextRound(1350, 1351));
        }

        [Fact]
        public async Task A_lost_probe_below_the_limit_does_not_hide_a_larger_size_that_passed()
        {
            int found = await PathMtuSearch.FindAsync(84, 1450, size => Task.FromResult(size <= 1350 && size != 1000));
            Assert.Equal(1350, found);
        }
    }
}
