using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace K3sNet.Matrix
{
    /// <summary>
    /// The matrix as a Mermaid flowchart inside a ```mermaid fence, ready to paste into a GitHub or GitLab issue: a box
    /// per node and an arrow for each failed pair, labelled with its verdict; a pair failed both ways with the same
    /// verdict is one two-headed arrow. Healthy and untested pairs are counted in the title, not drawn, so 50 nodes stay
    /// legible. Nodes on a failed path are outlined in red.
    /// </summary>
    internal static class VxlanMatrixMermaid
    {
        // Words Mermaid reads as syntax when they stand alone as a node id.
        private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        {
            "end", "graph", "flowchart", "subgraph", "direction", "style", "class", "classDef", "click", "linkStyle", "default",
        };

        public static string Render(IPairGrid matrix)
        {
            IReadOnlyDictionary<string, string> ids = Ids(matrix.Nodes);
            var lines = new List<string>
            {
                "```mermaid",
                "---",
                $"title: \"{Label(Title(matrix))}\"",
                "---",
                "flowchart LR",
            };
            lines.AddRange(matrix.Nodes.Select(n => $"    {ids[n]}[\"{Label(n)}\"]"));

            (string Source, string Destination, string Label)[] failed = matrix.Nodes
                .SelectMany(s => matrix.Nodes.Where(d => d != s).Select(d => (Source: s, Destination: d, Label: matrix.FailedLabel(s, d))))
                .Where(p => p.Label is not null)
                .Select(p => (p.Source, p.Destination, p.Label!))
                .ToArray();
            var drawn = new HashSet<(string, string)>();
            foreach ((string source, string destination, string label) in failed)
            {
                if (!drawn.Add((source, destination)))
                {
                    continue;
                }

                bool bothWays = matrix.FailedLabel(destination, source) == label && drawn.Add((destination, source));
                string arrow = bothWays ? "<-->" : "-->";
                lines.Add($"    {ids[source]} {arrow}|\"{Label(label)}\"| {ids[destination]}");
            }

            string[] failing = failed.SelectMany(c => new[] { c.Source, c.Destination }).Distinct().Select(n => ids[n]).ToArray();
            if (failing.Length > 0)
            {
                lines.Add("    classDef failing stroke:#c00,stroke-width:3px");
                lines.Add($"    class {string.Join(",", failing)} failing");
            }

            lines.Add("```");
            return string.Join("\n", lines);
        }

        /// <summary>
        /// Mermaid ids from node names: letters, digits and '_' only, not a keyword, never starting with a digit, and
        /// unique (ip-10-0-1-1 and ip.10.0.1.1 both sanitize to ip_10_0_1_1, so the second gets a suffix).
        /// </summary>
        internal static IReadOnlyDictionary<string, string> Ids(IEnumerable<string> nodes)
        {
            var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string node in nodes)
            {
                var id = new StringBuilder(node.Length);
                foreach (char c in node)
                {
                    id.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
                }

                string candidate = id.ToString();
                if (candidate.Length == 0 || char.IsAsciiDigit(candidate[0]) || Reserved.Contains(candidate))
                {
                    candidate = "n_" + candidate;
                }

                string unique = candidate;
                for (int suffix = 2; !taken.Add(unique); suffix++)
                {
                    unique = $"{candidate}_{suffix}";
                }

                ids[node] = unique;
            }

            return ids;
        }

        private static string Title(IPairGrid matrix) => $"{matrix.Summary} (arrows: the failed paths)";

        /// <summary>Text inside a quoted Mermaid label or title: a double quote would end it, so it becomes Mermaid's entity.</summary>
        private static string Label(string text) => text.Replace("\"", "#quot;", StringComparison.Ordinal);
    }
}
