namespace K3sNet
{
    /// <summary>Whether a pod got what it asked for.</summary>
    public enum PodNetworkVerdict
    {
        /// <summary>The destination answered.</summary>
        Healthy,

        /// <summary>The destination did not answer, or answered with a refusal; the reason says which and, where known, why.</summary>
        Failed,

        /// <summary>Nothing was tried (the probe pod could not run, or the destination is unknown); the reason says why.</summary>
        NotTested,
    }
}
