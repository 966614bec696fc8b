using System;
using System.Collections.Generic;
using K3sNet.Vxlan;

namespace K3sNet.Firewall
{
    /// <summary>
    /// This node's forwarding and firewall state, as the pod path and the VXLAN port need it: the sysctls, the cni0
    /// bridge, the main routing table (for rp_filter's reverse-path lookup) and the rulesets (nftables, which also holds
    /// iptables-nft's rules, and iptables-legacy where the node uses it). What could not be read is in
    /// <see cref="Skipped"/>, and its check is skipped rather than judged on a guess.
    /// </summary>
    internal sealed record HostNetworkState
    {
        /// <summary>net.ipv4.ip_forward; null when unreadable.</summary>
        public int? IpForward { get; init; }

        /// <summary>net.ipv4.conf.&lt;name&gt;.rp_filter for "all", "default" and the devices read.</summary>
        public IReadOnlyDictionary<string, int> RpFilter { get; init; } = new Dictionary<string, int>();

        /// <summary>cni0, or null when it does not exist (no pod has started on this node).</summary>
        public BridgeState? Bridge { get; init; }

        public IReadOnlyList<RouteEntry> Routes { get; init; } = Array.Empty<RouteEntry>();

        public IReadOnlyList<FirewallRuleset> Rulesets { get; init; } = Array.Empty<FirewallRuleset>();

        /// <summary>Checks that could not run, each with why ("nft: Operation not permitted").</summary>
        public IReadOnlyList<string> Skipped { get; init; } = Array.Empty<string>();

        /// <summary>The rp_filter the kernel applies on a device: the larger of conf.all and the device's own.</summary>
        public int? EffectiveRpFilter(string device)
        {
            bool hasAll = RpFilter.TryGetValue("all", out int all);
            bool hasDevice = RpFilter.TryGetValue(device, out int own);
            return hasAll || hasDevice ? Math.Max(hasAll ? all : 0, hasDevice ? own : 0) : null;
        }
    }

    /// <param name="Addresses">Its IPv4 addresses with prefix length: "10.42.0.1/24".</param>
    internal sealed record BridgeState(string Name, bool Up, IReadOnlyList<string> Addresses);
}
