namespace K3sNet
{
    /// <summary>
    /// The verdicts of one flow into one security group that share a status, a blocker and a fix, with their node pairs:
    /// what Test-K3sSecurityGroup -Summary writes instead of one SecurityGroupVerdict per pair. It carries the traffic
    /// properties under the verdict's names (GroupId, Protocol, FromPort, ToPort, SuggestedSource, ClusterOnly), so it
    /// pipes into Grant-K3sNodeTraffic as a verdict does.
    /// </summary>
    public sealed class SecurityGroupVerdictSummary
    {
        /// <summary>The security group to change: one on the destinations' network interfaces.</summary>
        public string? GroupId { get; set; }

        public string? VpcId { get; set; }

        public TrafficProtocol Protocol { get; set; }

        public int FromPort { get; set; }

        public int ToPort { get; set; }

        public string Purpose { get; set; } = string.Empty;

        public bool ClusterOnly { get; set; }

        public bool Allowed { get; set; }

        public SecurityGroupVerdictStatus Status { get; set; }

        /// <summary>The security group or network ACL entry that blocks these flows, when one does.</summary>
        public string? BlockedBy { get; set; }

        /// <summary>The narrowest source that fixes these flows: a security group id or a CIDR.</summary>
        public string? SuggestedSource { get; set; }

        /// <summary>How many ordered node pairs (verdicts) this summary stands for; 0 for an exposure.</summary>
        public int PairCount { get; set; }

        /// <summary>The source nodes, each once, in the order the pairs name them.</summary>
        public string[] Sources { get; set; } = System.Array.Empty<string>();

        /// <summary>The destination nodes, each once, in the order the pairs name them.</summary>
        public string[] Destinations { get; set; } = System.Array.Empty<string>();

        private SecurityGroupNodePair[]? _pairs;

        /// <summary>
        /// Every ordered node pair, as the per-pair output would list it. Built when first read: a summary of a million
        /// pairs costs a million objects only for the caller who looks at them (the table view does not).
        /// </summary>
        public SecurityGroupNodePair[] Pairs
        {
            get => _pairs ??= PairSource?.Invoke() ?? System.Array.Empty<SecurityGroupNodePair>();
            set => _pairs = value;
        }

        /// <summary>Builds <see cref="Pairs"/> on first read.</summary>
        internal System.Func<SecurityGroupNodePair[]>? PairSource { get; set; }

        public string Reason { get; set; } = string.Empty;

        public override string ToString() =>
            $"{GroupId} {Protocol.ToString().ToLowerInvariant()}/{FromPort}: {Status} for {PairCount} pair(s)";
    }
}
