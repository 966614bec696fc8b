using System.Collections.Generic;

namespace K3sNet.PodNetwork
{
    /// <summary>What one ready pod's exec gave back: the probes it was asked to run, each one's output, or why the exec failed.</summary>
    internal sealed record PodRunOutcome(IReadOnlyList<PlannedProbe> Plan, IReadOnlyDictionary<string, PodProbeRun> Runs, string? Failure);
}
