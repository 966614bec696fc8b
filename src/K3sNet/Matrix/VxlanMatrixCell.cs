namespace K3sNet
{
    /// <summary>
    /// One ordered pair of nodes in a <see cref="VxlanMatrix"/>: the path from Source to Destination and the result
    /// that judged it, or no result when nobody tested that pair.
    /// </summary>
    public sealed class VxlanMatrixCell
    {
        internal VxlanMatrixCell(string source, string destination, VxlanPathResult? result)
        {
            Source = source;
            Destination = destination;
            Result = result;
        }

        /// <summary>The node the path starts from (the grid's row).</summary>
        public string Source { get; }

        /// <summary>The node the path leads to (the grid's column).</summary>
        public string Destination { get; }

        /// <summary>The verdict, or null when no result for this pair was piped in.</summary>
        public VxlanVerdict? Verdict => Result?.Verdict;

        /// <summary>The result that judged this pair: the last one piped in for it.</summary>
        public VxlanPathResult? Result { get; }

        /// <summary>The pair has a result, and it found something wrong (not Healthy, not NotTested).</summary>
        public bool IsFailed => Verdict is not null and not VxlanVerdict.Healthy and not VxlanVerdict.NotTested;

        /// <summary>Nobody tested the pair, or its result says it was not tested.</summary>
        public bool IsUntested => Verdict is null or VxlanVerdict.NotTested;

        public override string ToString() => $"{Source} -> {Destination}: {(Verdict?.ToString() ?? "no result")}";
    }
}
