namespace K3sNet.Probing
{
    /// <summary>How many probes probe mode sends, and what they carry.</summary>
    internal sealed record ProbeSettings
    {
        /// <summary>Small probes per peer, sent at once, for loss and round trip.</summary>
        public int Count { get; init; } = 3;

        public ProbeTransport Transport { get; init; } = ProbeTransport.IcmpEcho;

        /// <summary>Largest inner packet to try; null uses the local interface's MTU less 50, as flannel.1's MTU.</summary>
        public int? LargestPacket { get; init; }
    }
}
