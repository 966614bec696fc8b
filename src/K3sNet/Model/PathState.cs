namespace K3sNet
{
    /// <summary>What one leg of a path test saw.</summary>
    public enum PathState
    {
        /// <summary>The peer answered.</summary>
        Answered,

        /// <summary>Nothing came back within the timeout.</summary>
        Silent,

        /// <summary>This leg was not probed.</summary>
        NotTested,
    }
}
