namespace K3sNet
{
    /// <summary>One ordered pair of nodes a <see cref="SecurityGroupVerdictSummary"/> covers, with the addresses its flow uses.</summary>
    public sealed class SecurityGroupNodePair
    {
        public string Source { get; set; } = string.Empty;

        public string Destination { get; set; } = string.Empty;

        public string? SourceAddress { get; set; }

        public string? DestinationAddress { get; set; }

        public override string ToString() => $"{Source} -> {Destination}";
    }
}
