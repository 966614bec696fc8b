using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Matrix;

namespace K3sNet
{
    /// <summary>
    /// Every node against every other: the VXLAN verdict of each ordered pair, from the results of Test-K3sVxlan run on
    /// each node and collected together. Nodes are in natural order (node-2 before node-10); when one pair has several
    /// results, the last one wins, so a rerun piped after the first run replaces it. A pair without a result stays
    /// untested: it is never counted as Healthy.
    /// </summary>
    public sealed class VxlanMatrix : IPairGrid
    {
        private readonly Dictionary<(string, string), VxlanMatrixCell> _cells;

        private VxlanMatrix(string[] nodes, VxlanMatrixCell[] cells, int replaced)
        {
            Nodes = nodes;
            Cells = cells;
            Replaced = replaced;
            _cells = cells.ToDictionary(c => (c.Source, c.Destination), NamePairComparer.Instance);
            FailedPairs = cells.Where(c => c.IsFailed).Select(c => c.Result!).ToArray();
            UntestedPairs = cells.Where(c => c.IsUntested).ToArray();
            Counts = CountVerdicts(cells);
        }

        /// <summary>The nodes, in natural order: the grid's rows and, numbered from 1, its columns.</summary>
        public string[] Nodes { get; }

        /// <summary>Every ordered pair of different nodes, row by row (each source's destinations in node order).</summary>
        public VxlanMatrixCell[] Cells { get; }

        /// <summary>The results that found something wrong, row by row; they pipe into Grant-K3sNodeTraffic.</summary>
        public VxlanPathResult[] FailedPairs { get; }

        /// <summary>The pairs nobody tested, or whose result is NotTested (its Reason says why).</summary>
        public VxlanMatrixCell[] UntestedPairs { get; }

        /// <summary>How many pairs have each verdict, in VxlanVerdict's order, and NoResult for the pairs without one; only counts above zero.</summary>
        public IReadOnlyDictionary<string, int> Counts { get; }

        /// <summary>How many pairs there are: every node to every other.</summary>
        public int PairCount => Cells.Length;

        /// <summary>Every pair was tested and is Healthy.</summary>
        public bool IsHealthy => Cells.All(c => c.Verdict == VxlanVerdict.Healthy);

        /// <summary>How many results were replaced by a later result for the same pair.</summary>
        internal int Replaced { get; }

        /// <summary>Builds the matrix from results in the order they arrived; a later result for a pair replaces an earlier one.</summary>
        public static VxlanMatrix FromResults(IEnumerable<VxlanPathResult> results)
        {
            ArgumentNullException.ThrowIfNull(results);
            var latest = new Dictionary<(string, string), VxlanPathResult>(NamePairComparer.Instance);
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int replaced = 0;
            foreach (VxlanPathResult result in results)
            {
                if (string.IsNullOrWhiteSpace(result.Source) || string.IsNullOrWhiteSpace(result.Destination))
                {
                    throw new ArgumentException($"The result '{result}' has no Source or no Destination.", nameof(results));
                }

                names.TryAdd(result.Source, result.Source);
                names.TryAdd(result.Destination, result.Destination);
                if (string.Equals(result.Source, result.Destination, StringComparison.OrdinalIgnoreCase))
                {
                    continue; // The diagonal is the node itself: there is no path to judge.
                }

                if (latest.ContainsKey((result.Source, result.Destination)))
                {
                    replaced++;
                }

                latest[(result.Source, result.Destination)] = result;
            }

            string[] nodes = names.Values.OrderBy(n => n, NaturalNameComparer.Instance).ToArray();
            var cells = new List<VxlanMatrixCell>(nodes.Length * Math.Max(0, nodes.Length - 1));
            for (int row = 0; row < nodes.Length; row++)
            {
                for (int column = 0; column < nodes.Length; column++)
                {
                    if (row != column)
                    {
                        cells.Add(new VxlanMatrixCell(nodes[row], nodes[column], latest.GetValueOrDefault((nodes[row], nodes[column]))));
                    }
                }
            }

            return new VxlanMatrix(nodes, cells.ToArray(), replaced);
        }

        /// <summary>The cell for the path from <paramref name="source"/> to <paramref name="destination"/>, or null for a node not in the matrix or the node itself.</summary>
        public VxlanMatrixCell? GetCell(string source, string destination) => _cells.GetValueOrDefault((source, destination));

        /// <summary>The grid as the console view shows it, in lines no wider than <paramref name="width"/> where the node count allows (at least 20 columns: a host without a console reports 0).</summary>
        public string ToGrid(int width) => VxlanMatrixGrid.Render(this, width);

        /// <summary>A Markdown table of the grid, then every pair that is not Healthy with its full reason: for an incident ticket.</summary>
        public string ToMarkdown() => VxlanMatrixMarkdown.Render(this);

        /// <summary>A Mermaid flowchart, in a ```mermaid fence: one box per node, an arrow for each pair that is not Healthy.</summary>
        public string ToMermaid() => VxlanMatrixMermaid.Render(this);

        /// <summary>"VXLAN paths between 3 nodes: 4 Healthy, 2 VxlanBlocked": the line above the grid.</summary>
        public string Summary =>
            $"VXLAN paths between {Nodes.Length} node{(Nodes.Length == 1 ? string.Empty : "s")}: " +
            (Counts.Count == 0 ? "no pairs" : string.Join(", ", Counts.Select(c => $"{c.Value} {c.Key}")));

        public override string ToString() => Summary;

        int IPairGrid.NotHealthyCount => Cells.Count(c => c.Verdict != VxlanVerdict.Healthy);

        char IPairGrid.Symbol(string source, string destination) => VxlanMatrixSymbols.For(GetCell(source, destination)!);

        string? IPairGrid.FailedLabel(string source, string destination) =>
            GetCell(source, destination) is { IsFailed: true } cell ? cell.Verdict.ToString() : null;

        IReadOnlyList<(char Symbol, string Meaning)> IPairGrid.Legend() => VxlanMatrixSymbols.Legend(this);

        IReadOnlyList<VxlanMatrixFinding> IPairGrid.Findings(bool group) => VxlanMatrixFinding.For(this, group);

        private static IReadOnlyDictionary<string, int> CountVerdicts(VxlanMatrixCell[] cells)
        {
            var counts = new Dictionary<string, int>();
            foreach (VxlanVerdict verdict in Enum.GetValues<VxlanVerdict>())
            {
                int count = cells.Count(c => c.Verdict == verdict);
                if (count > 0)
                {
                    counts.Add(verdict.ToString(), count);
                }
            }

            int missing = cells.Count(c => c.Verdict is null);
            if (missing > 0)
            {
                counts.Add("NoResult", missing);
            }

            return counts;
        }

        /// <summary>Node names compare without regard to case, as host names do.</summary>
        private sealed class NamePairComparer : IEqualityComparer<(string, string)>
        {
            public static readonly NamePairComparer Instance = new();

            public bool Equals((string, string) x, (string, string) y) =>
                StringComparer.OrdinalIgnoreCase.Equals(x.Item1, y.Item1) && StringComparer.OrdinalIgnoreCase.Equals(x.Item2, y.Item2);

            public int GetHashCode((string, string) pair) =>
                HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(pair.Item1), StringComparer.OrdinalIgnoreCase.GetHashCode(pair.Item2));
        }
    }
}
