using System;

namespace K3sNet.ClusterProbes
{
    /// <summary>How a fleet of probe pods is started and bounded.</summary>
    internal sealed record ProbeFleetOptions
    {
        /// <summary>How long pods may take to be Running and Ready; a node whose pod is not by then is NotTested.</summary>
        public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

        /// <summary>How many exec sessions (and pod creations) run at once.</summary>
        public int ThrottleLimit { get; init; } = 16;

        /// <summary>The image for every probe pod; null chooses one each node already holds (its pause image).</summary>
        public string? Image { get; init; }

        /// <summary>The user's command line, for the namespace's annotation (never credentials).</summary>
        public string? Purpose { get; init; }
    }
}
