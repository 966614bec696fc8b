using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// Which image a probe pod runs. The probes run k3s's own static tools mounted from the node, so the image only has
    /// to start: the node's pause image, which every node holds because every pod sandbox uses it (nothing pulled, no
    /// tag hard-coded: k3s moves it between releases). -Image wins when given.
    /// </summary>
    internal static class ProbeImage
    {
        // rancher/mirrored-pause (k3s's own), registry.k8s.io/pause and mirrors of either, by tag or digest.
        private static readonly Regex PauseImage = new(@"/(mirrored-)?pause[:@]", RegexOptions.CultureInvariant);

        /// <summary>The image for a node: <paramref name="requested"/>, else its pause image (k3s's mirrored-pause first, the repo:tag form before a digest); null when it has none.</summary>
        public static string? Choose(string? requested, IReadOnlyList<string> nodeImages)
        {
            if (!string.IsNullOrWhiteSpace(requested))
            {
                return requested;
            }

            return nodeImages
                .Where(name => PauseImage.IsMatch(name))
                .OrderBy(name => name.Contains("/mirrored-pause", StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(name => name.Contains('@') ? 1 : 0)
                .FirstOrDefault();
        }
    }
}
