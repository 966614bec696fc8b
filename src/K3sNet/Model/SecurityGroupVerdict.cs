namespace K3sNet
{
    /// <summary>
    /// One required flow between two nodes as the AWS configuration sees it: does some security group on the
    /// destination admit it, and do the network ACLs let it through both ways. The traffic properties carry the same
    /// names as on every K3sNet type, so a verdict pipes into Grant-K3sNodeTraffic.
    /// </summary>
    public sealed class SecurityGroupVerdict
    {
        public string Source { get; set; } = string.Empty;

        public string Destination { get; set; } = string.Empty;

        public string? SourceAddress { get; set; }

        public string? DestinationAddress { get; set; }

        public string? SourceInstanceId { get; set; }

        public string? DestinationInstanceId { get; set; }

        public TrafficProtocol Protocol { get; set; }

        public int FromPort { get; set; }

        public int ToPort { get; set; }

        public string Purpose { get; set; } = string.Empty;

        public bool Allowed { get; set; }

        /// <summary>Allowed, Blocked, Unknown (only a prefix list might admit it) or Exposed (open to the internet).</summary>
        public SecurityGroupVerdictStatus Status { get; set; }

        /// <summary>True when the port must never be reachable from outside the cluster.</summary>
        public bool ClusterOnly { get; set; }

        /// <summary>The VPC of the destination instance.</summary>
        public string? VpcId { get; set; }

        /// <summary>The security group to change: one on the destination's network interface.</summary>
        public string? GroupId { get; set; }

        /// <summary>The security group or network ACL entry that blocks the flow, when one does.</summary>
        public string? BlockedBy { get; set; }

        /// <summary>The narrowest source that fixes the flow: a security group id or a CIDR.</summary>
        public string? SuggestedSource { get; set; }

        public string Reason { get; set; } = string.Empty;

        public override string ToString() => $"{Source} -> {Destination} {Protocol.ToString().ToLowerInvariant()}/{FromPort}: {Status}";
    }
}
