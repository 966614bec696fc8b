using System;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// The bounds of an -AllNodes run, from -TimeoutSeconds (one probe). A node's checks test its peers 64 at a time,
    /// each peer with a few probes in turn (the echo and its retries, the full-size echo and, when it fails, the path
    /// MTU search, the underlay): 30 probe timeouts per wave of 64 peers bound that generously, plus 30 s for the
    /// exec session and the node's state (flannel.1, its entries, the firewall).
    /// </summary>
    internal static class VxlanFleetTimeouts
    {
        public const int PeersAtOnce = 64;

        public static TimeSpan NodeChecks(double probeTimeoutSeconds, int peers)
        {
            int waves = Math.Max(1, (int)Math.Ceiling(peers / (double)PeersAtOnce));
            return TimeSpan.FromSeconds(30 + (30 * probeTimeoutSeconds * waves));
        }

        /// <summary>Every node's checks, <paramref name="throttleLimit"/> nodes at a time: what the pods' deadline must leave room for.</summary>
        public static TimeSpan AllChecks(TimeSpan nodeChecks, int nodes, int throttleLimit) =>
            nodeChecks * Math.Max(1, (int)Math.Ceiling(nodes / (double)Math.Max(1, throttleLimit)));
    }
}
