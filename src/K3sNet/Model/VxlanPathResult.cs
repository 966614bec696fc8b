namespace K3sNet
{
    /// <summary>
    /// The VXLAN path from one node to another as Test-K3sVxlan measured it. Protocol, FromPort, ToPort, SourceAddress
    /// and DestinationAddress name the traffic that must pass (UDP 8472 between the underlay addresses), so a result
    /// pipes straight into Grant-K3sNodeTraffic.
    /// </summary>
    public sealed class VxlanPathResult
    {
        /// <summary>The node the test ran from.</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>The peer node.</summary>
        public string Destination { get; set; } = string.Empty;

        /// <summary>The source's underlay address (the one VXLAN packets leave from).</summary>
        public string? SourceAddress { get; set; }

        /// <summary>The peer's underlay address (its flannel public-ip).</summary>
        public string? DestinationAddress { get; set; }

        /// <summary>The peer's flannel.1 address, which an overlay echo targets.</summary>
        public string? VtepAddress { get; set; }

        public TrafficProtocol Protocol { get; set; } = TrafficProtocol.Udp;

        public int FromPort { get; set; } = 8472;

        public int ToPort { get; set; } = 8472;

        public PathState Underlay { get; set; } = PathState.NotTested;

        public PathState Overlay { get; set; } = PathState.NotTested;

        /// <summary>Median round trip through the overlay, in milliseconds.</summary>
        public double? RoundTripMs { get; set; }

        /// <summary>The largest IPv4 packet that crossed the overlay with DF set, in bytes.</summary>
        public int? PathMtu { get; set; }

        /// <summary>
        /// Whether an echo from a probe pod on this node's cni0 (a short-lived network namespace) reached the peer's
        /// VTEP and came back, through this node's FORWARD both ways; null when not tested (no cni0, not root, probe mode).
        /// </summary>
        public bool? PodPathReached { get; set; }

        public VxlanVerdict Verdict { get; set; } = VxlanVerdict.NotTested;

        /// <summary>One sentence a person can act on.</summary>
        public string Reason { get; set; } = string.Empty;

        /// <summary>What to change, when something must change.</summary>
        public string? Remedy { get; set; }

        public override string ToString() => $"{Source} -> {Destination}: {Verdict}";
    }
}
