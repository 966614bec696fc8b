using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Matrix
{
    /// <summary>
    /// One line of the list under the grid: a pair that is not Healthy, its verdict and why. A node that sent no result
    /// at all is one line for its whole row, not one per peer, so a forgotten node reads as that and not as 49 lines.
    /// </summary>
    internal sealed record VxlanMatrixFinding(string Source, string Destination, string Verdict, string Reason, string? Remedy)
    {
        public const string NoResult = "NoResult";
        public const string EveryOtherNode = "every other node";

        /// <summary>The failed pairs first, row by row, then the untested ones.</summary>
        public static IReadOnlyList<VxlanMatrixFinding> For(VxlanMatrix matrix)
        {
            var findings = matrix.Cells
                .Where(c => c.IsFailed)
                .Select(c => new VxlanMatrixFinding(c.Source, c.Destination, c.Verdict!.Value.ToString(), c.Result!.Reason, c.Result.Remedy))
                .ToList();
            // A row with no result at all: the node was named as a destination but its own results never came.
            var silent = new HashSet<string>(matrix.Cells.GroupBy(c => c.Source).Where(row => row.All(c => c.Result is null)).Select(row => row.Key));
            foreach (VxlanMatrixCell cell in matrix.UntestedPairs)
            {
                if (cell.Result is not null)
                {
                    findings.Add(new VxlanMatrixFinding(cell.Source, cell.Destination, cell.Result.Verdict.ToString(), cell.Result.Reason, cell.Result.Remedy));
                }
                else if (!silent.Contains(cell.Source))
                {
                    findings.Add(new VxlanMatrixFinding(cell.Source, cell.Destination, NoResult, "No result for this path was piped in.", null));
                }
            }

            foreach (string source in matrix.Nodes.Where(silent.Contains))
            {
                findings.Add(new VxlanMatrixFinding(
                    source, EveryOtherNode, NoResult,
                    $"No result from {source} was piped in: nobody tested its paths.",
                    $"Run Test-K3sVxlan on {source} too, and pipe its results in with the others."));
            }

            return findings;
        }
    }
}
