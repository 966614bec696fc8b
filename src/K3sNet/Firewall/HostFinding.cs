namespace K3sNet.Firewall
{
    /// <summary>What on this node itself stands in a peer's way.</summary>
    internal enum HostProblem
    {
        /// <summary>This node's ruleset drops or rejects the peer's VXLAN (UDP 8472 in INPUT).</summary>
        FirewallDropsVxlan,

        /// <summary>This node's ruleset drops or rejects pod traffic forwarded between cni0 and flannel.1.</summary>
        FirewallDropsPods,

        /// <summary>A rule the judge cannot evaluate decides one of the above: no verdict, only a note.</summary>
        FirewallUndetermined,

        IpForwardOff,

        /// <summary>Strict rp_filter on the underlay device while the route back to the peer leaves by another.</summary>
        RpFilterUnderlay,

        /// <summary>Strict rp_filter on flannel.1 while the route back to the peer's pods leaves by another device.</summary>
        RpFilterOverlay,

        BridgeDown,

        /// <summary>The probe pod's echo was lost on this node while the node's own crossed, and no rule or setting explains it.</summary>
        PodPathLost,

        BridgeAddress,
    }

    /// <param name="Reason">One sentence naming what drops and where.</param>
    /// <param name="Remedy">The exact command that fixes it; null for an undetermined rule.</param>
    internal sealed record HostFinding(HostProblem Problem, string Reason, string? Remedy)
    {
        public bool IsFirewall => Problem is HostProblem.FirewallDropsVxlan or HostProblem.FirewallDropsPods or HostProblem.PodPathLost;

        /// <summary>It keeps the peer's VXLAN from reaching flannel.1, so the echo through VXLAN goes silent.</summary>
        public bool SilencesOverlay => Problem is HostProblem.FirewallDropsVxlan or HostProblem.RpFilterUnderlay;
    }
}
