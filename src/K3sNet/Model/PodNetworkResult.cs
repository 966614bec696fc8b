namespace K3sNet
{
    /// <summary>
    /// What a pod on one node saw when it tried one destination: another node's pod, the cluster DNS, a CoreDNS pod,
    /// the kubernetes Service or an egress name. Source is the node the probe pod ran on; Cause, when Test-K3sVxlan's
    /// results were given, is the node-level verdict that explains a failure. Addresses are pod and Service addresses,
    /// not the underlay: a failed result is fixed through its Cause (pipe Test-K3sVxlan's failed results into
    /// Grant-K3sNodeTraffic), not by granting pod addresses.
    /// </summary>
    public sealed class PodNetworkResult
    {
        public PodNetworkCheck Check { get; set; }

        /// <summary>The node whose probe pod tried.</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>The probe pod that tried.</summary>
        public string? SourcePod { get; set; }

        /// <summary>The probe pod's own address (from the node's podCIDR).</summary>
        public string? SourceAddress { get; set; }

        /// <summary>The destination: a node (PodToPod), "cluster DNS", a CoreDNS pod, "kubernetes" or the egress name.</summary>
        public string Destination { get; set; } = string.Empty;

        /// <summary>The address tried: a pod IP, a cluster IP, or what the egress name resolved to.</summary>
        public string? DestinationAddress { get; set; }

        /// <summary>ICMP, UDP or TCP.</summary>
        public string Protocol { get; set; } = "ICMP";

        /// <summary>The destination port, where one applies (53 for DNS, the Service's or egress port).</summary>
        public int? FromPort { get; set; }

        public int? ToPort { get; set; }

        public PodNetworkVerdict Verdict { get; set; } = PodNetworkVerdict.NotTested;

        /// <summary>The node-level verdict that explains a failure, from the Test-K3sVxlan results given with -VxlanResult.</summary>
        public VxlanVerdict? Cause { get; set; }

        /// <summary>Median round trip of the echoes that came back (PodToPod), in milliseconds.</summary>
        public double? RoundTripMs { get; set; }

        /// <summary>One sentence a person understands.</summary>
        public string Reason { get; set; } = string.Empty;

        /// <summary>What to do, when something must change.</summary>
        public string? Remedy { get; set; }

        public override string ToString() => $"{Check} {Source} -> {Destination}: {Verdict}";
    }
}
