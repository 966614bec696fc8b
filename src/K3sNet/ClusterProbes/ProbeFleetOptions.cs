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

        /// <summary>
        /// How long the probes may run once the pods are ready. With the start timeout and <see cref="DeadlineMargin"/> it
        /// makes each pod's activeDeadlineSeconds, so the pods of a run that was killed end by themselves.
        /// </summary>
        public TimeSpan ProbeTime { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>What the pods' deadline allows beyond the start timeout and the probe time (exec set-up, a slow API server).</summary>
        public static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(60);

        /// <summary>The pods' activeDeadlineSeconds, and how long their main command sleeps.</summary>
        public int DeadlineSeconds => (int)Math.Ceiling((StartTimeout + ProbeTime + DeadlineMargin).TotalSeconds);

        /// <summary>The user's command line, for the namespace's annotation (never credentials).</summary>
        public string? Purpose { get; init; }
    }
}
