namespace K3sNet.Probing
{
    /// <summary>The outcome of one probe and, when it was answered, its round trip.</summary>
    internal readonly record struct ProbeAnswer(ProbeOutcome Outcome, double RoundTripMs)
    {
        public bool Answered => Outcome == ProbeOutcome.Answered;

        public static ProbeAnswer Silent => new(ProbeOutcome.Silent, 0);
    }
}
