using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using K3sNet.Vxlan;

namespace K3sNet.Matrix
{
    /// <summary>
    /// One line of the list under the grid: a path that is not Healthy, its verdict and why. A node that sent no
    /// result at all is one line for its whole row, so a forgotten node reads as that and not as 49 lines. For the
    /// console, a node whose every path, to and from it, is VxlanBlocked is one line that says its inbound UDP 8472 is
    /// closed, and a whole row or column with one verdict is one line too, so the list stays short at 50 nodes; Markdown
    /// lists every path.
    /// </summary>
    internal sealed record VxlanMatrixFinding(string Source, string Destination, string Verdict, string Reason, string? Remedy, bool BothWays = false)
    {
        public const string NoResult = "NoResult";
        public const string EveryOtherNode = "every other node";

        /// <summary>Rows and columns are grouped from this many nodes on; below it, every path is its own line anyway.</summary>
        private const int GroupFromNodes = 4;

        /// <summary>The failed paths first, row by row, then the untested ones; with <paramref name="group"/>, whole rows and columns as one line.</summary>
        public static IReadOnlyList<VxlanMatrixFinding> For(VxlanMatrix matrix, bool group)
        {
            var failed = new List<VxlanMatrixFinding>();
            var untested = new List<VxlanMatrixFinding>();
            var covered = new HashSet<VxlanMatrixCell>();
            ILookup<string, VxlanMatrixCell> rows = matrix.Cells.ToLookup(c => c.Source);

            // A row with no result at all: the node was named as a destination but its own results never came.
            foreach (string source in matrix.Nodes.Where(n => rows[n].Any() && rows[n].All(c => c.Result is null)))
            {
                untested.Add(new VxlanMatrixFinding(
                    source, EveryOtherNode, NoResult,
                    $"No result from {source} was piped in: nobody tested its paths.",
                    $"Run Test-K3sVxlan on {source} too, and pipe its results in with the others."));
                covered.UnionWith(rows[source]);
            }

            if (group)
            {
                failed.AddRange(ClosedNodes(matrix, covered));
            }

            if (group && matrix.Nodes.Length >= GroupFromNodes)
            {
                ILookup<string, VxlanMatrixCell> columns = matrix.Cells.ToLookup(c => c.Destination);
                // Again until nothing changes: a column grouped first can leave a row uniform (and the other way round).
                bool grouped;
                do
                {
                    grouped = false;
                    foreach (string source in matrix.Nodes)
                    {
                        grouped |= AddGroup(rows[source].ToArray(), isRow: true, failed, untested, covered);
                    }

                    foreach (string destination in matrix.Nodes)
                    {
                        grouped |= AddGroup(columns[destination].ToArray(), isRow: false, failed, untested, covered);
                    }
                }
                while (grouped);
            }

            foreach (VxlanMatrixCell cell in matrix.Cells.Where(c => Label(c) is not null && !covered.Contains(c)))
            {
                (cell.IsFailed ? failed : untested).Add(new VxlanMatrixFinding(
                    cell.Source, cell.Destination, Label(cell)!, cell.Result?.Reason ?? "No result for this path was piped in.", cell.Result?.Remedy));
            }

            return failed.Concat(untested).ToList();
        }

        /// <summary>
        /// One line for a row or column whose paths, apart from those an earlier line covers, all share one verdict
        /// that is not Healthy. "every other node" only when no path of it was covered; otherwise how many.
        /// </summary>
        private static bool AddGroup(
            VxlanMatrixCell[] line, bool isRow, List<VxlanMatrixFinding> failed, List<VxlanMatrixFinding> untested, HashSet<VxlanMatrixCell> covered)
        {
            VxlanMatrixCell[] cells = line.Where(c => !covered.Contains(c)).ToArray();
            if (cells.Length < GroupFromNodes - 1 || Label(cells[0]) is not { } label || cells.Any(c => Label(c) != label))
            {
                return false;
            }

            string others = cells.Length == line.Length ? EveryOtherNode : $"{cells.Length} other nodes";
            VxlanPathResult? first = cells[0].Result;
            string reason = first?.Reason ?? "No result for these paths was piped in.";
            if (cells.Any(c => c.Result?.Reason != first?.Reason))
            {
                reason = $"{cells.Length} paths, e.g. {reason}";
            }

            (cells[0].IsFailed ? failed : untested).Add(isRow
                ? new VxlanMatrixFinding(cells[0].Source, others, label, reason, first?.Remedy)
                : new VxlanMatrixFinding(others, cells[0].Destination, label, reason, first?.Remedy));
            covered.UnionWith(cells);
            return true;
        }

        /// <summary>
        /// One line for each node whose every path, to it and from it, is VxlanBlocked while some path between other nodes
        /// passes: what those 2(N-1) paths share is that node's inbound UDP port (a VXLAN echo's reply is a new datagram
        /// to the sender's port, so a node that drops it fails its own tests too). Needs every one of its paths tested; a
        /// path between two such nodes is counted under the first.
        /// </summary>
        private static IEnumerable<VxlanMatrixFinding> ClosedNodes(VxlanMatrix matrix, HashSet<VxlanMatrixCell> covered)
        {
            var findings = new List<VxlanMatrixFinding>();
            foreach (string node in matrix.Nodes)
            {
                VxlanMatrixCell[] around = matrix.Cells.Where(c => c.Source == node || c.Destination == node).ToArray();
                bool othersPass = matrix.Cells.Any(c => c.Source != node && c.Destination != node && Passes(c));
                if (around.Length == 0 || !othersPass || around.Any(c => c.Verdict != VxlanVerdict.VxlanBlocked))
                {
                    continue;
                }

                // What matters first, as the console cuts the line at its width.
                string port = around[0].Result!.FromPort.ToString(CultureInfo.InvariantCulture);
                findings.Add(new VxlanMatrixFinding(node, EveryOtherNode, nameof(VxlanVerdict.VxlanBlocked),
                    $"{node} drops inbound UDP {port} (security group, NACL or firewall): every path to and from it is blocked while other paths pass.",
                    $"Allow inbound UDP {port} to {node} from the cluster's nodes: their security group, or the VPC's private CIDR; never 0.0.0.0/0. Check the network ACLs and any host firewall (ufw, firewalld) on {node} too.",
                    BothWays: true));
                covered.UnionWith(around);
            }

            return findings;
        }

        /// <summary>Whether VXLAN crossed the path both ways (the echo came back), whatever else was wrong with it.</summary>
        private static bool Passes(VxlanMatrixCell cell) => cell.Verdict is VxlanVerdict verdict && verdict.CrossedBothWays();

        /// <summary>The verdict a finding shows, or null for a Healthy path, which is no finding.</summary>
        private static string? Label(VxlanMatrixCell cell) => cell.Verdict switch
        {
            null => NoResult,
            VxlanVerdict.Healthy => null,
            { } verdict => verdict.ToString(),
        };
    }
}
