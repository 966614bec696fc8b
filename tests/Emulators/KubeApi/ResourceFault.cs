namespace K3sNet.Emulators.KubeApi
{
    /// <summary>How the emulator answers requests for one resource (nodes, pods, version) until told otherwise.</summary>
    public enum ResourceFault
    {
        /// <summary>Answer normally.</summary>
        None,

        /// <summary>403 with the RBAC message an API server gives a user who lacks the verb.</summary>
        Forbidden,

        /// <summary>Never answer; the request ends only when the client gives up or disconnects.</summary>
        Hang,

        /// <summary>Answer after <see cref="KubeApiEmulator.SlowDelay"/>.</summary>
        Slow,

        /// <summary>500 InternalError.</summary>
        ServerError,

        /// <summary>500 with no body at all, as a proxy or a crashing handler answers.</summary>
        EmptyServerError,
    }
}
