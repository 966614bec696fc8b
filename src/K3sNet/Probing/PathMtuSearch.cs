using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace K3sNet.Probing
{
    /// <summary>
    /// Finds the largest packet size that passes, between one known to pass and one known to fail. A binary search
    /// that tests <c>width</c> sizes per round at once (width 1 is the classic bisection): each round costs one timeout
    /// when sizes fail silently, so testing 15 at a time needs 3 rounds for a 1450-byte range where bisection needs 11.
    /// </summary>
    internal static class PathMtuSearch
    {
        /// <param name="passes">Size known to pass.</param>
        /// <param name="fails">Size known to fail; larger than <paramref name="passes"/>.</param>
        /// <param name="width">Sizes to test per round.</param>
        /// <param name="tryAll">Sends one probe of each size, all at once, and says which came back.</param>
        public static async Task<int> FindLargestPassingAsync(int passes, int fails, int width, Func<IReadOnlyList<int>, Task<bool[]>> tryAll)
        {
            if (width < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(width), width, "At least one size per round.");
            }

            int low = passes;
            int high = fails;
            while (high - low > 1)
            {
                var sizes = new List<int>(width);
                int gap = high - low;
                for (int i = 1; i <= width; i++)
                {
                    int size = low + (int)((long)gap * i / (width + 1));
                    if (size > low && size < high && (sizes.Count == 0 || sizes[^1] != size))
                    {
                        sizes.Add(size);
                    }
                }

                bool[] passed = await tryAll(sizes).ConfigureAwait(false);
                // The largest size that passed raises the floor; the smallest failure above it lowers the ceiling. A
                // lost probe can only make the answer smaller, never report a size that did not pass.
                for (int i = 0; i < sizes.Count; i++)
                {
                    if (passed[i] && sizes[i] > low)
                    {
                        low = sizes[i];
                    }
                }

                int ceiling = high;
                for (int i = 0; i < sizes.Count; i++)
                {
                    if (!passed[i] && sizes[i] > low && sizes[i] < ceiling)
                    {
                        ceiling = sizes[i];
                    }
                }

                high = ceiling;
            }

            return low;
        }
    }
}
