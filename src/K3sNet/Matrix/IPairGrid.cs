using System.Collections.Generic;

namespace K3sNet.Matrix
{
    /// <summary>
    /// What the grid, Markdown and Mermaid renderings draw, whichever results fill the cells: node-level VXLAN paths
    /// (<see cref="VxlanMatrix"/>) or pod-to-pod paths (<see cref="PodNetworkMatrix"/>). One picture, so both read alike.
    /// </summary>
    internal interface IPairGrid
    {
        /// <summary>The nodes, in natural order: rows and columns.</summary>
        string[] Nodes { get; }

        /// <summary>The line above the grid.</summary>
        string Summary { get; }

        int PairCount { get; }

        /// <summary>How many pairs are not Healthy (failed or untested).</summary>
        int NotHealthyCount { get; }

        /// <summary>The symbol of the pair from <paramref name="source"/> to <paramref name="destination"/> (never the same node).</summary>
        char Symbol(string source, string destination);

        /// <summary>The verdict to draw as an arrow (Mermaid) and in bold (Markdown) when the pair failed; null when it did not.</summary>
        string? FailedLabel(string source, string destination);

        /// <summary>The legend's entries for the symbols the grid shows, then self.</summary>
        IReadOnlyList<(char Symbol, string Meaning)> Legend();

        /// <summary>The lines under the grid: what is not Healthy, grouped for the console when <paramref name="group"/>.</summary>
        IReadOnlyList<VxlanMatrixFinding> Findings(bool group);
    }
}
