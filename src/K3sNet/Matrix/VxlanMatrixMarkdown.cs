using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace K3sNet.Matrix
{
    /// <summary>
    /// The matrix as Markdown for an incident ticket: the summary, the grid as a table (rows numbered and named,
    /// columns numbered, the grid's symbols with failures in bold), the legend, then a table of every pair that is not
    /// Healthy with its full reason and remedy. Nothing is cut: a ticket is read later, by someone without the console.
    /// </summary>
    internal static class VxlanMatrixMarkdown
    {
        public static string Render(IPairGrid matrix)
        {
            var lines = new List<string> { $"**{Escape(matrix.Summary)}**" };
            string[] nodes = matrix.Nodes;
            if (nodes.Length > 1)
            {
                lines.Add(string.Empty);
                lines.Add(@"| From \ To | " + string.Join(" | ", nodes.Select((_, i) => Number(i))) + " |");
                lines.Add("| --- |" + string.Concat(nodes.Select(_ => " :-: |")));
                for (int row = 0; row < nodes.Length; row++)
                {
                    string source = nodes[row];
                    IEnumerable<string> cells = nodes.Select((destination, column) =>
                        column == row ? VxlanMatrixSymbols.Self.ToString() : Cell(matrix, source, destination));
                    lines.Add($"| {Number(row)} {Escape(source)} | {string.Join(" | ", cells)} |");
                }

                lines.Add(string.Empty);
                lines.Add("Legend: " + string.Join(", ", matrix.Legend().Select(e => $"`{e.Symbol}` {e.Meaning}")));
                lines.AddRange(Findings(matrix));
            }

            return string.Join("\n", lines);
        }

        private static IEnumerable<string> Findings(IPairGrid matrix)
        {
            IReadOnlyList<VxlanMatrixFinding> findings = matrix.Findings(group: false);
            if (findings.Count == 0)
            {
                yield break;
            }

            yield return string.Empty;
            yield return "| Source | Destination | Verdict | Reason | Remedy |";
            yield return "| --- | --- | --- | --- | --- |";
            foreach (VxlanMatrixFinding finding in findings)
            {
                yield return $"| {Escape(finding.Source)} | {Escape(finding.Destination)} | {finding.Verdict} | {Escape(finding.Reason)} | {Escape(finding.Remedy ?? string.Empty)} |";
            }
        }

        /// <summary>A failure in bold, so it stands out among the dots in a rendered ticket.</summary>
        private static string Cell(IPairGrid matrix, string source, string destination)
        {
            char symbol = matrix.Symbol(source, destination);
            return matrix.FailedLabel(source, destination) is not null ? $"**{symbol}**" : symbol.ToString();
        }

        private static string Number(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Makes text safe inside a table cell: '|' would end the cell and a line break the row. Backslashes are
        /// escaped first, so a reason ending in '\' cannot escape the cell's closing '|'.
        /// </summary>
        internal static string Escape(string text)
        {
            var escaped = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                switch (c)
                {
                    case '\\':
                        escaped.Append(@"\\");
                        break;
                    case '|':
                        escaped.Append(@"\|");
                        break;
                    case '\r':
                        break;
                    case '\n':
                        escaped.Append(' ');
                        break;
                    default:
                        escaped.Append(c);
                        break;
                }
            }

            return escaped.ToString();
        }
    }
}
