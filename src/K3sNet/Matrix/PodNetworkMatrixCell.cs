namespace K3sNet
{
    /// <summary>
    /// One ordered pair of nodes in a <see cref="PodNetworkMatrix"/>: whether a pod on Source reached the pod on
    /// Destination, and the result that says so, or no result when nobody tested that pair.
    /// </summary>
    public sealed class PodNetworkMatrixCell
    {
        internal PodNetworkMatrixCell(string source, string destination, PodNetworkResult? result)
        {
            Source = source;
            Destination = destination;
            Result = result;
        }

        public string Source { get; }

        public string Destination { get; }

        /// <summary>The verdict, or null when no result for this pair was piped in.</summary>
        public PodNetworkVerdict? Verdict => Result?.Verdict;

        /// <summary>The node-level verdict that explains a failure, when Test-K3sPodNetwork was given Test-K3sVxlan's results.</summary>
        public VxlanVerdict? Cause => Result?.Cause;

        public PodNetworkResult? Result { get; }

        public bool IsFailed => Verdict == PodNetworkVerdict.Failed;

        public bool IsUntested => Verdict is null or PodNetworkVerdict.NotTested;

        public override string ToString() => $"{Source} -> {Destination}: {(Verdict?.ToString() ?? "no result")}";
    }
}
