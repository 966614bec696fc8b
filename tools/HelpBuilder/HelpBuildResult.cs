using System.Collections.Generic;

namespace K3sNet.HelpBuilder
{
    /// <summary>What a <see cref="HelpBuild"/> run did: the files written, or the problems that stopped it writing any.</summary>
    public sealed record HelpBuildResult(IReadOnlyList<string> WrittenFiles, IReadOnlyList<HelpDiagnostic> Diagnostics)
    {
        public bool Succeeded => Diagnostics.Count == 0;
    }
}
