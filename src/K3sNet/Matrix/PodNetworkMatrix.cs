using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Matrix;

namespace K3sNet
{
    /// <summary>
    /// The sibling of <see cref="VxlanMatrix"/> for what pods see: every node's pod against every other's, from
    /// Test-K3sPodNetwork's PodToPod results, drawn as the same grid ('.' Healthy, a failure as its Cause's letter when
    /// Test-K3sVxlan's results explained it, else 'X', '?' not tested). The per-node checks (cluster DNS, CoreDNS pods,
    /// the kubernetes Service, egress) are kept in <see cref="OtherChecks"/>, and the ones that failed are listed under
    /// the grid, so the one picture shows everything pods cannot do. As in the VXLAN matrix, the last result piped in
    /// for a pair counts and a pair without one is untested, never Healthy.
    /// </summary>
    public sealed class PodNetworkMatrix : IPairGrid
    {
        /// <summary>A pod-to-pod failure no node-level result explains.</summary>
        public const char FailedSymbol = 'X';

        private readonly Dictionary<(string, string), PodNetworkMatrixCell> _cells;

        private PodNetworkMatrix(string[] nodes, PodNetworkMatrixCell[] cells, PodNetworkResult[] otherChecks)
        {
            Nodes = nodes;
            Cells = cells;
            OtherChecks = otherChecks;
            _cells = cells.ToDictionary(c => (c.Source.ToLowerInvariant(), c.Destination.ToLowerInvariant()));
            FailedPairs = cells.Where(c => c.IsFailed).Select(c => c.Result!).ToArray();
            UntestedPairs = cells.Where(c => c.IsUntested).ToArray();
            Counts = Enum.GetValues<PodNetworkVerdict>()
                .Select(v => (Name: v.ToString(), Count: cells.Count(c => c.Verdict == v)))
                .Append(("NoResult", cells.Count(c => c.Verdict is null)))
                .Where(c => c.Item2 > 0)
                .ToDictionary(c => c.Item1, c => c.Item2);
        }

        /// <summary>The nodes, in natural order: the grid's rows and, numbered from 1, its columns.</summary>
        public string[] Nodes { get; }

        /// <summary>Every ordered pair of different nodes, row by row.</summary>
        public PodNetworkMatrixCell[] Cells { get; }

        /// <summary>The pod-to-pod results that failed, row by row.</summary>
        public PodNetworkResult[] FailedPairs { get; }

        /// <summary>The pairs nobody tested, or whose result is NotTested (its Reason says why).</summary>
        public PodNetworkMatrixCell[] UntestedPairs { get; }

        /// <summary>The results that are not pairs: cluster DNS, CoreDNS pods, the kubernetes Service, egress; in the order they came.</summary>
        public PodNetworkResult[] OtherChecks { get; }

        /// <summary>How many pairs have each verdict, and NoResult for the pairs without one; only counts above zero.</summary>
        public IReadOnlyDictionary<string, int> Counts { get; }

        public int PairCount => Cells.Length;

        /// <summary>Every pair was tested and is Healthy, and so is every other check.</summary>
        public bool IsHealthy => Cells.All(c => c.Verdict == PodNetworkVerdict.Healthy) && OtherChecks.All(c => c.Verdict == PodNetworkVerdict.Healthy);

        /// <summary>"Pod-to-pod paths between 3 nodes: 2 Healthy, 4 Failed; other checks: 10 Healthy, 3 Failed".</summary>
        public string Summary
        {
            get
            {
                string pairs = $"Pod-to-pod paths between {Nodes.Length} node{(Nodes.Length == 1 ? string.Empty : "s")}: "
                    + (Counts.Count == 0 ? "no pairs" : string.Join(", ", Counts.Select(c => $"{c.Value} {c.Key}")));
                if (OtherChecks.Length == 0)
                {
                    return pairs;
                }

                return pairs + "; other checks: " + string.Join(", ", OtherChecks.GroupBy(c => c.Verdict).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
            }
        }

        int IPairGrid.NotHealthyCount => Cells.Count(c => c.Verdict != PodNetworkVerdict.Healthy);

        /// <summary>Builds the matrix from Test-K3sPodNetwork's results in the order they arrived.</summary>
        public static PodNetworkMatrix FromResults(IEnumerable<PodNetworkResult> results)
        {
            ArgumentNullException.ThrowIfNull(results);
            var latest = new Dictionary<(string, string), PodNetworkResult>();
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var others = new List<PodNetworkResult>();
            foreach (PodNetworkResult result in results)
            {
                if (string.IsNullOrWhiteSpace(result.Source) || string.IsNullOrWhiteSpace(result.Destination))
                {
                    throw new ArgumentException($"The result '{result}' has no Source or no Destination.", nameof(results));
                }

                // Only pairs make the grid's rows and columns: a node seen only in other checks would be a row of '?'.
                if (result.Check != PodNetworkCheck.PodToPod)
                {
                    others.Add(result);
                    continue;
                }

                names.TryAdd(result.Source, result.Source);
                names.TryAdd(result.Destination, result.Destination);
                if (!string.Equals(result.Source, result.Destination, StringComparison.OrdinalIgnoreCase))
                {
                    latest[(result.Source.ToLowerInvariant(), result.Destination.ToLowerInvariant())] = result;
                }
            }

            string[] nodes = names.Values.OrderBy(n => n, NaturalNameComparer.Instance).ToArray();
            var cells = new List<PodNetworkMatrixCell>();
            foreach (string source in nodes)
            {
                foreach (string destination in nodes.Where(d => !string.Equals(d, source, StringComparison.OrdinalIgnoreCase)))
                {
                    cells.Add(new PodNetworkMatrixCell(source, destination, latest.GetValueOrDefault((source.ToLowerInvariant(), destination.ToLowerInvariant()))));
                }
            }

            return new PodNetworkMatrix(nodes, cells.ToArray(), others.ToArray());
        }

        /// <summary>The cell for the pods from <paramref name="source"/> to <paramref name="destination"/>, or null for a node not in the matrix or the node itself.</summary>
        public PodNetworkMatrixCell? GetCell(string source, string destination) =>
            _cells.GetValueOrDefault((source.ToLowerInvariant(), destination.ToLowerInvariant()));

        /// <summary>The grid as the console view shows it, fitted to <paramref name="width"/> as the VXLAN matrix is.</summary>
        public string ToGrid(int width) => VxlanMatrixGrid.Render(this, width);

        /// <summary>A Markdown table of the grid, then everything that is not Healthy with its full reason.</summary>
        public string ToMarkdown() => VxlanMatrixMarkdown.Render(this);

        /// <summary>A Mermaid flowchart: an arrow for each pod-to-pod path that failed.</summary>
        public string ToMermaid() => VxlanMatrixMermaid.Render(this);

        public override string ToString() => Summary;

        /// <summary>'.' Healthy; a failure as its Cause's letter (the VXLAN grid's) when known, else 'X'; '?' untested.</summary>
        internal static char SymbolFor(PodNetworkMatrixCell cell) => cell.Verdict switch
        {
            PodNetworkVerdict.Healthy => VxlanMatrixSymbols.For(VxlanVerdict.Healthy),
            PodNetworkVerdict.Failed when cell.Cause is { } cause && cause is not (VxlanVerdict.Healthy or VxlanVerdict.NotTested) => VxlanMatrixSymbols.For(cause),
            PodNetworkVerdict.Failed => FailedSymbol,
            _ => VxlanMatrixSymbols.Untested,
        };

        char IPairGrid.Symbol(string source, string destination) => SymbolFor(GetCell(source, destination)!);

        string? IPairGrid.FailedLabel(string source, string destination) => GetCell(source, destination) is { IsFailed: true } cell ? Label(cell) : null;

        IReadOnlyList<(char Symbol, string Meaning)> IPairGrid.Legend()
        {
            var legend = new List<(char, string)>();
            if (Cells.Any(c => c.Verdict == PodNetworkVerdict.Healthy))
            {
                legend.Add((SymbolFor(Cells.First(c => c.Verdict == PodNetworkVerdict.Healthy)), nameof(PodNetworkVerdict.Healthy)));
            }

            foreach (IGrouping<char, PodNetworkMatrixCell> failed in Cells.Where(c => c.IsFailed).GroupBy(SymbolFor).OrderBy(g => g.Key == FailedSymbol ? 0 : 1))
            {
                legend.Add((failed.Key, failed.Key == FailedSymbol ? "Failed" : $"Failed, cause {failed.First().Cause}"));
            }

            if (Cells.Any(c => c.IsUntested))
            {
                legend.Add((VxlanMatrixSymbols.Untested, "not tested or no result"));
            }

            legend.Add((VxlanMatrixSymbols.Self, "self"));
            return legend;
        }

        /// <summary>The failed pairs row by row, then the other checks that failed, then what was not tested.</summary>
        IReadOnlyList<VxlanMatrixFinding> IPairGrid.Findings(bool group)
        {
            var findings = new List<VxlanMatrixFinding>();
            findings.AddRange(Cells.Where(c => c.IsFailed).Select(c => new VxlanMatrixFinding(c.Source, c.Destination, Label(c), c.Result!.Reason, c.Result.Remedy)));
            findings.AddRange(OtherChecks.Where(c => c.Verdict == PodNetworkVerdict.Failed).Select(c => new VxlanMatrixFinding(
                c.Source, OtherDestination(c), c.Cause is { } cause ? $"Failed ({cause})" : nameof(PodNetworkVerdict.Failed), c.Reason, c.Remedy)));
            findings.AddRange(Cells.Where(c => c.IsUntested).Select(c => new VxlanMatrixFinding(
                c.Source, c.Destination, c.Result is null ? VxlanMatrixFinding.NoResult : nameof(PodNetworkVerdict.NotTested),
                c.Result?.Reason ?? "No result for this pair was piped in.", c.Result?.Remedy)));
            findings.AddRange(OtherChecks.Where(c => c.Verdict == PodNetworkVerdict.NotTested).Select(c => new VxlanMatrixFinding(
                c.Source, OtherDestination(c), nameof(PodNetworkVerdict.NotTested), c.Reason, c.Remedy)));
            return findings;
        }

        private static string Label(PodNetworkMatrixCell cell) => cell.Cause is { } cause && cause is not (VxlanVerdict.Healthy or VxlanVerdict.NotTested)
            ? $"Failed ({cause})"
            : nameof(PodNetworkVerdict.Failed);

        /// <summary>"cluster DNS", "CoreDNS pod coredns-abc", "kubernetes Service", "egress ssm...": what a non-pair check tried.</summary>
        private static string OtherDestination(PodNetworkResult result) => result.Check switch
        {
            PodNetworkCheck.CoreDnsPod => $"CoreDNS pod {result.Destination}",
            PodNetworkCheck.KubernetesService => "kubernetes Service",
            PodNetworkCheck.Egress => result.ToPort is int port ? $"egress {result.Destination}:{port}" : $"egress {result.Destination}",
            _ => result.Destination,
        };
    }
}
