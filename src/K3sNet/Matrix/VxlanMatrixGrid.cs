using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace K3sNet.Matrix
{
    /// <summary>
    /// Draws the matrix as text for a terminal or a log: one character per cell, rows labelled with a number and the
    /// node's name, columns headed by the same numbers written downwards, a legend, then the pairs that are not Healthy
    /// with their reasons wrapped whole. Cells are spaced apart while that fits the width, and packed (a gap every ten columns) when
    /// it does not, so 3 nodes read comfortably and 50 fit in 120 columns.
    /// </summary>
    internal static class VxlanMatrixGrid
    {
        /// <summary>More findings than this are counted, not listed: the list must not push the grid off the screen.</summary>
        public const int MaxListed = 20;

        private const int MinNameWidth = 8;

        /// <summary>
        /// Narrower widths are drawn at this one: a host without a console reports 0 columns, and a reason wrapped into
        /// fewer columns than its indent never ends.
        /// </summary>
        public const int MinWidth = 20;

        /// <summary>Narrower than this, a reason column is too thin to read: the reason goes under its pair instead.</summary>
        private const int MinReasonWidth = 40;
        private const string Gap = "  ";
        private const string Corner = @"From \ To";

        public static string Render(IPairGrid matrix, int width)
        {
            width = Math.Max(width, MinWidth);
            var lines = new List<string>(Wrap(matrix.Summary, ", ", width));
            if (matrix.Nodes.Length > 1)
            {
                lines.Add(string.Empty);
                lines.AddRange(Grid(matrix, width));
                lines.Add(string.Empty);
                lines.AddRange(Wrap("Legend: " + string.Join("  ", matrix.Legend().Select(e => $"{e.Symbol} {e.Meaning}")), "  ", width));
                lines.AddRange(Findings(matrix, width));
            }

            return string.Join(Environment.NewLine, lines.Select(l => l.TrimEnd()));
        }

        private static IEnumerable<string> Grid(IPairGrid matrix, int width)
        {
            string[] nodes = matrix.Nodes;
            int indexWidth = nodes.Length.ToString(CultureInfo.InvariantCulture).Length;
            int longest = nodes.Max(n => n.Length);
            int spaced = (2 * nodes.Length) - 1;
            int packed = nodes.Length + ((nodes.Length - 1) / 10);
            bool spaceCells = indexWidth + 1 + longest + Gap.Length + spaced <= width;
            int cellsWidth = spaceCells ? spaced : packed;
            int nameWidth = Math.Min(longest, Math.Max(MinNameWidth, width - cellsWidth - Gap.Length - indexWidth - 1));
            int labelWidth = indexWidth + 1 + nameWidth;

            // Column numbers written downwards, one digit per line, so a column stays one character wide.
            for (int digit = 0; digit < indexWidth; digit++)
            {
                bool last = digit == indexWidth - 1;
                string label = last && Corner.Length <= labelWidth ? Corner : string.Empty;
                yield return label.PadRight(labelWidth) + Gap + Row(nodes.Length, spaceCells, column =>
                {
                    string number = (column + 1).ToString(CultureInfo.InvariantCulture).PadLeft(indexWidth);
                    return number[digit];
                });
            }

            for (int row = 0; row < nodes.Length; row++)
            {
                string label = (row + 1).ToString(CultureInfo.InvariantCulture).PadLeft(indexWidth) + " " + Fit(nodes[row], nameWidth).PadRight(nameWidth);
                string source = nodes[row];
                yield return label + Gap + Row(nodes.Length, spaceCells, column =>
                    column == row ? VxlanMatrixSymbols.Self : matrix.Symbol(source, nodes[column]));
            }
        }

        private static string Row(int columns, bool spaceCells, Func<int, char> cell)
        {
            var text = new StringBuilder();
            for (int column = 0; column < columns; column++)
            {
                if (column > 0 && (spaceCells || column % 10 == 0))
                {
                    text.Append(' ');
                }

                text.Append(cell(column));
            }

            return text.ToString();
        }

        private static IEnumerable<string> Findings(IPairGrid matrix, int width)
        {
            IReadOnlyList<VxlanMatrixFinding> findings = matrix.Findings(group: true);
            if (findings.Count == 0)
            {
                yield break;
            }

            yield return string.Empty;
            yield return $"Not healthy ({matrix.NotHealthyCount} of {matrix.PairCount} paths):";
            IEnumerable<VxlanMatrixFinding> listed = findings.Take(MaxListed);
            int pairWidth = listed.Max(f => PairText(f).Length);
            int verdictWidth = listed.Max(f => f.Verdict.Length);
            foreach (VxlanMatrixFinding finding in listed)
            {
                string head = $"{PairText(finding).PadRight(pairWidth)}  {finding.Verdict.PadRight(verdictWidth)}  ";
                // The reason is what a person acts on, so it is wrapped whole at word boundaries, never cut. Beside the
                // pair while that leaves room to read; under it, indented, when long names leave too little.
                string indent = width - head.Length >= MinReasonWidth ? new string(' ', head.Length) : "    ";
                if (indent.Length != head.Length)
                {
                    yield return head.TrimEnd();
                    head = indent;
                }

                foreach (string line in WordWrap(finding.Reason, width - indent.Length))
                {
                    yield return head + line;
                    head = indent;
                }
            }

            if (findings.Count > MaxListed)
            {
                yield return Fit(
                    $"... and {findings.Count - MaxListed} more: the FailedPairs and UntestedPairs properties hold them all, and -AsMarkdown lists every one with its reason.",
                    width);
            }
        }

        /// <summary>Breaks a line of items after a separator so it fits the width; continuation lines are indented.</summary>
        private static IEnumerable<string> Wrap(string text, string separator, int width)
        {
            var line = new StringBuilder();
            foreach (string item in text.Split(separator))
            {
                if (line.Length > 0 && line.Length + separator.Length + item.Length > width)
                {
                    yield return line.ToString().TrimEnd() + separator.TrimEnd();
                    line.Clear().Append("    ");
                }
                else if (line.Length > 0)
                {
                    line.Append(separator);
                }

                line.Append(item);
            }

            yield return line.ToString();
        }

        /// <summary>Splits text into lines of at most <paramref name="width"/> at spaces; a longer word is cut where it must be.</summary>
        private static IEnumerable<string> WordWrap(string text, int width)
        {
            var line = new StringBuilder();
            foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string rest = word;
                if (line.Length > 0 && line.Length + 1 + rest.Length > width)
                {
                    yield return line.ToString();
                    line.Clear();
                }

                while (rest.Length > width)
                {
                    yield return rest[..width];
                    rest = rest[width..];
                }

                line.Append(line.Length > 0 ? " " : string.Empty).Append(rest);
            }

            if (line.Length > 0)
            {
                yield return line.ToString();
            }
        }

        private static string PairText(VxlanMatrixFinding finding) => $"{finding.Source} {(finding.BothWays ? "<->" : "->")} {finding.Destination}";

        /// <summary>Cuts text to <paramref name="width"/>, marking the cut, so a long name or reason cannot wrap the grid.</summary>
        private static string Fit(string text, int width)
        {
            if (text.Length <= width)
            {
                return text;
            }

            string mark = width >= 12 ? "..." : "~";
            return text[..Math.Max(0, width - mark.Length)] + mark;
        }
    }
}
