using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Finds the largest packet that crosses a path with DF set. A lost probe costs a whole timeout, so instead of a
    /// one-probe-at-a-time binary search (eleven timeouts between 84 and 1450 bytes) each round sends up to
    /// <see cref="ProbesPerRound"/> sizes at once and narrows the bracket by that factor: two rounds settle a 1450-byte
    /// range to the byte, each costing at most one timeout.
    /// </summary>
    internal static class PathMtuSearch
    {
        public const int ProbesPerRound = 40;

        /// <summary>
        /// The sizes one round probes, strictly between <paramref name="passes"/> (known to pass) and
        /// <paramref name="fails"/> (known to fail), evenly spread, at most <paramref name="maxProbes"/>.
        /// </summary>
        public static IReadOnlyList<int> NextRound(int passes, int fails, int maxProbes = ProbesPerRound)
        {
            int gap = fails - passes - 1;
            if (gap <= 0)
            {
                return Array.Empty<int>();
            }

            if (gap <= maxProbes)
            {
                return Enumerable.Range(passes + 1, gap).ToArray();
            }

            var sizes = new SortedSet<int>();
            for (int i = 1; i <= maxProbes; i++)
            {
                sizes.Add(passes + (int)((long)i * (gap + 1) / (maxProbes + 1)));
            }

            return sizes.ToArray();
        }

        /// <summary>
        /// Narrows [passes, fails) round by round until they are adjacent, and returns the largest size that passed.
        /// </summary>
        public static async Task<int> FindAsync(int passes, int fails, Func<int, Task<bool>> probe)
        {
            while (true)
            {
                IReadOnlyList<int> sizes = NextRound(passes, fails);
                if (sizes.Count == 0)
                {
                    return passes;
                }

                bool[] passed = await Task.WhenAll(sizes.Select(probe)).ConfigureAwait(false);
                int newPasses = passes;
                for (int i = 0; i < sizes.Count; i++)
                {
                    if (passed[i])
                    {
                        newPasses = Math.Max(newPasses, sizes[i]);
                    }
                }

                int newFails = fails;
                for (int i = 0; i < sizes.Count; i++)
                {
                    if (!passed[i] && sizes[i] > newPasses)
                    {
                        newFails = Math.Min(newFails, sizes[i]);
                    }
                }

                passes = newPasses;
                fails = newFails;
            }
        }
    }
}
