using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Matrix;
using Xunit;

namespace K3sNet.Tests.Matrix
{
    public sealed class VxlanMatrixTests
    {
        internal static VxlanPathResult Result(string source, string destination, VxlanVerdict verdict, string reason = "") =>
            new() { Source = source, Destination = destination, Verdict = verdict, Reason = reason };

        /// <summary>Every ordered pair of <paramref name="nodes"/>, with the verdict <paramref name="verdict"/> chooses.</summary>
        internal static IEnumerable<VxlanPathResult> AllPairs(IReadOnlyList<string> nodes, Func<string, string, VxlanVerdict> verdict) =>
            from s in nodes from d in nodes where s != d select Result(s, d, verdict(s, d), $"{s} to {d}");

        [Fact]
        public void Orders_nodes_naturally_whatever_order_the_results_came_in()
        {
            string[] names = { "node-10", "node-2", "node-1", "Node-3", "agent-b", "node-02a" };
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(names.Reverse().ToArray(), (_, _) => VxlanVerdict.Healthy));

            Assert.Equal(new[] { "agent-b", "node-1", "node-2", "node-02a", "Node-3", "node-10" }, matrix.Nodes);
        }

        [Fact]
        public void Natural_order_compares_long_digit_runs_by_value_without_overflow()
        {
            var names = new List<string> { "n-99999999999999999999999", "n-100000000000000000000000", "n-7" };
            names.Sort(NaturalNameComparer.Instance);

            Assert.Equal(new[] { "n-7", "n-99999999999999999999999", "n-100000000000000000000000" }, names);
        }

        [Fact]
        public void A_pair_nobody_tested_is_untested_not_healthy()
        {
            VxlanMatrix matrix = VxlanMatrix.FromResults(new[]
            {
                Result("a", "b", VxlanVerdict.Healthy),
                Result("b", "a", VxlanVerdict.Healthy),
                Result("a", "c", VxlanVerdict.Healthy),
            });

            Assert.False(matrix.IsHealthy);
            Assert.Null(matrix.GetCell("c", "a")!.Verdict);
            Assert.Equal(new[] { "b -> c", "c -> a", "c -> b" }, matrix.UntestedPairs.Select(c => $"{c.Source} -> {c.Destination}"));
            Assert.Equal(3, matrix.Counts["Healthy"]);
            Assert.Equal(3, matrix.Counts["NoResult"]);
            Assert.Empty(matrix.FailedPairs);
        }

        [Fact]
        public void The_later_result_for_a_pair_wins_and_names_match_without_case()
        {
            VxlanPathResult rerun = Result("A", "b", VxlanVerdict.Healthy);
            VxlanMatrix matrix = VxlanMatrix.FromResults(new[]
            {
                Result("a", "b", VxlanVerdict.VxlanBlocked),
                Result("b", "a", VxlanVerdict.Healthy),
                rerun,
            });

            Assert.Equal(new[] { "a", "b" }, matrix.Nodes);
            Assert.Same(rerun, matrix.GetCell("a", "b")!.Result);
            Assert.Equal(1, matrix.Replaced);
            Assert.True(matrix.IsHealthy);
        }

        [Fact]
        public void Failed_pairs_are_the_results_that_found_something_wrong_row_by_row()
        {
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(new[] { "s", "a1", "a2" }, (s, d) =>
                d == "a2" ? VxlanVerdict.VxlanBlocked : s == "a2" ? VxlanVerdict.NotTested : VxlanVerdict.Healthy));

            Assert.Equal(new[] { "a1 -> a2", "s -> a2" }, matrix.FailedPairs.Select(r => $"{r.Source} -> {r.Destination}"));
            Assert.Equal(new[] { "a2 -> a1", "a2 -> s" }, matrix.UntestedPairs.Select(c => $"{c.Source} -> {c.Destination}"));
            Assert.Equal(new Dictionary<string, int> { ["Healthy"] = 2, ["VxlanBlocked"] = 2, ["NotTested"] = 2 }, matrix.Counts);
        }

        [Fact]
        public void Three_nodes_render_exactly()
        {
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(new[] { "server-1", "agent-1", "agent-2" }, (s, d) =>
                d == "agent-2" || s == "agent-2" ? VxlanVerdict.VxlanBlocked : VxlanVerdict.Healthy));

            string expected = string.Join(Environment.NewLine,
                "VXLAN paths between 3 nodes: 2 Healthy, 4 VxlanBlocked",
                string.Empty,
                @"From \ To   1 2 3",
                "1 agent-1   - B .",
                "2 agent-2   B - B",
                "3 server-1  . B -",
                string.Empty,
                "Legend: . Healthy  B VxlanBlocked  - self",
                string.Empty,
                "Not healthy (4 of 6 paths):",
                "agent-2 <-> every other node  VxlanBlocked  agent-2 drops inbound UDP 8472 (security group, NACL or firewall): every",
                "                                            path to and from it is blocked while other paths pass.");
            Assert.Equal(expected, matrix.ToGrid(120));
        }

        [Fact]
        public void A_reason_is_wrapped_whole_beside_its_pair_or_under_it_when_the_width_leaves_too_little()
        {
            string reason = "UDP 8472 between server-1 and agent-2 is dropped: agent-2 answers on 10.0.1.12 but not through VXLAN. " +
                "Allow inbound UDP 8472 from the cluster's nodes in agent-2's security group and in server-1's.";
            VxlanMatrix matrix = VxlanMatrix.FromResults(new[]
            {
                new VxlanPathResult { Source = "server-1", Destination = "agent-2", Verdict = VxlanVerdict.VxlanBlocked, Reason = reason },
                new VxlanPathResult { Source = "agent-2", Destination = "server-1", Verdict = VxlanVerdict.Healthy },
            });

            foreach (int width in new[] { 120, 60 })
            {
                string[] lines = matrix.ToGrid(width).Split(Environment.NewLine);
                Assert.All(lines, l => Assert.True(l.Length <= width, $"'{l}' is wider than {width}"));
                string[] findings = lines.SkipWhile(l => !l.StartsWith("Not healthy", StringComparison.Ordinal)).Skip(1).ToArray();
                string joined = string.Join(" ", findings.Select(l => l.Trim()));
                Assert.Equal(reason, System.Text.RegularExpressions.Regex.Replace(joined, @"^server-1 -> agent-2\s+VxlanBlocked\s+", string.Empty));
            }

            // At 60 columns the pair leaves fewer than 40 for the reason: it goes under the pair, indented.
            Assert.Contains(Environment.NewLine + "    UDP 8472 between", matrix.ToGrid(60), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(4)]
        [InlineData(-1)]
        public void A_width_too_narrow_to_wrap_into_draws_at_the_smallest_width_instead_of_failing(int width)
        {
            // $Host.UI.RawUI.WindowSize.Width is 0 without a console; a reason wrapped into (width - indent) <= 0
            // columns threw, or at 1 to 4 columns never ended.
            VxlanMatrix matrix = VxlanMatrix.FromResults(new[] { Result("a", "b", VxlanVerdict.VxlanBlocked, "UDP 8472 between a and b is dropped.") });

            string grid = matrix.ToGrid(width);

            Assert.Equal(matrix.ToGrid(VxlanMatrixGrid.MinWidth), grid);
            Assert.Contains("dropped.", grid, StringComparison.Ordinal);
        }

        [Fact]
        public void A_node_blocked_both_ways_is_one_line_only_while_other_paths_pass_and_markdown_still_lists_every_path()
        {
            string[] three = { "server-1", "agent-1", "agent-2" };
            VxlanMatrix oneNode = VxlanMatrix.FromResults(AllPairs(three, (s, d) =>
                d == "agent-2" || s == "agent-2" ? VxlanVerdict.VxlanBlocked : VxlanVerdict.Healthy));
            Assert.Contains("| agent-2 | server-1 | VxlanBlocked | agent-2 to server-1 |", oneNode.ToMarkdown());

            // Every path blocked: nothing singles a node out, so each path is its own line.
            VxlanMatrix everything = VxlanMatrix.FromResults(AllPairs(three, (_, _) => VxlanVerdict.VxlanBlocked));
            Assert.DoesNotContain("<->", everything.ToGrid(200));

            // Only from the node, not to it: its outbound or the peers' inbound, not a closed node.
            VxlanMatrix oneWay = VxlanMatrix.FromResults(AllPairs(three, (s, _) => s == "agent-2" ? VxlanVerdict.VxlanBlocked : VxlanVerdict.Healthy));
            Assert.DoesNotContain("<->", oneWay.ToGrid(200));

            // Two closed nodes of five: a line each.
            string[] five = Enumerable.Range(1, 5).Select(i => $"node-{i}").ToArray();
            VxlanMatrix two = VxlanMatrix.FromResults(AllPairs(five, (s, d) =>
                new[] { s, d }.Any(n => n is "node-2" or "node-4") ? VxlanVerdict.VxlanBlocked : VxlanVerdict.Healthy));
            string[] lines = two.ToGrid(200).Split(Environment.NewLine).SkipWhile(l => !l.StartsWith("Not healthy", StringComparison.Ordinal)).ToArray();
            Assert.Equal(new[] { "Not healthy (14 of 20 paths):", "node-2 <-> every other node", "node-4 <-> every other node" }, lines.Select(l => l.Split("  ")[0]));
        }

        [Fact]
        public void Fifty_nodes_fit_in_120_columns_with_every_cell_right()
        {
            string[] names = Enumerable.Range(1, 50).Select(i => $"ip-172-31-16-{200 + i}").ToArray();
            VxlanVerdict[] verdicts = Enum.GetValues<VxlanVerdict>();
            VxlanVerdict VerdictOf(string s, string d) => verdicts[(Array.IndexOf(names, s) * 7 + Array.IndexOf(names, d)) % verdicts.Length];
            // Node 50 sent no results: its row must be all '?'.
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(names, VerdictOf).Where(r => r.Source != names[49]));

            string[] lines = matrix.ToGrid(120).Split(Environment.NewLine);
            Assert.All(lines, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));

            int header = Array.FindIndex(lines, l => l.StartsWith(@"From \ To", StringComparison.Ordinal));
            string tens = lines[header - 1];
            string ones = lines[header];
            for (int row = 0; row < 50; row++)
            {
                string line = lines[header + 1 + row];
                Assert.StartsWith($"{row + 1,2} {names[row]}", line);
                for (int column = 0; column < 50; column++)
                {
                    int at = ones.Length - ((50 - column - 1) * 2) - 1;
                    Assert.Equal($"{column + 1,2}", $"{tens[at]}{ones[at]}");
                    char expected = row == column ? '-' : row == 49 ? '?' : VxlanMatrixSymbols.For(VerdictOf(names[row], names[column]));
                    Assert.True(expected == line[at], $"row {row + 1} column {column + 1}: expected '{expected}', got '{line[at]}'");
                }
            }

            Assert.Contains(lines, l => l.StartsWith("... and ", StringComparison.Ordinal));
            // The summary's count follows from the verdicts' cycle (so from how many verdicts there are), not a constant.
            int misconfigured = names.Take(49).Sum(s => names.Count(d => d != s && VerdictOf(s, d) == VxlanVerdict.Misconfigured));
            Assert.Contains(lines, l => l.StartsWith($"    {misconfigured} Misconfigured", StringComparison.Ordinal) || l.StartsWith("    ! Misconfigured", StringComparison.Ordinal));
            Assert.Contains($"| {names[49]} | every other node | NoResult |", matrix.ToMarkdown());
        }

        [Fact]
        public void Under_the_grid_a_whole_row_or_column_with_one_verdict_is_one_line_and_markdown_lists_every_path()
        {
            string[] names = Enumerable.Range(1, 6).Select(i => $"node-{i}").ToArray();
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(names, (s, d) =>
                    s == "node-2" || d == "node-2" ? VxlanVerdict.VxlanBlocked
                    : s == "node-4" ? VxlanVerdict.NotTested
                    : s == "node-3" && d == "node-5" ? VxlanVerdict.MtuBlackhole
                    : VxlanVerdict.Healthy)
                .Where(r => r.Source != "node-6"));

            string[] findings = matrix.ToGrid(120).Split(Environment.NewLine).SkipWhile(l => !l.StartsWith("Not healthy", StringComparison.Ordinal)).ToArray();

            Assert.Equal(new[]
            {
                "Not healthy (19 of 30 paths):",
                "node-2 -> every other node  VxlanBlocked  5 paths, e.g. node-2 to node-1",
                "4 other nodes -> node-2     VxlanBlocked  4 paths, e.g. node-1 to node-2",
                "node-3 -> node-5            MtuBlackhole  node-3 to node-5",
                "node-6 -> every other node  NoResult      No result from node-6 was piped in: nobody tested its paths.",
                "node-4 -> 4 other nodes     NotTested     4 paths, e.g. node-4 to node-1",
            }, findings);
            string markdown = matrix.ToMarkdown();
            Assert.Contains("| node-5 | node-2 | VxlanBlocked | node-5 to node-2 |  |", markdown);
            Assert.Contains("| node-4 | node-5 | NotTested | node-4 to node-5 |  |", markdown);
            // Every path but node-6's row, which is one line either way: 19 - 5 + 1.
            Assert.Equal(15, markdown.Split('\n').Count(l => l.StartsWith("| node-", StringComparison.Ordinal)));
        }

        [Fact]
        public void Long_names_at_fifty_nodes_are_cut_so_the_grid_still_fits()
        {
            string[] names = Enumerable.Range(1, 50).Select(i => $"node-{i}-" + new string('x', 80)).ToArray();
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(names, (_, _) => VxlanVerdict.Healthy));

            string[] lines = matrix.ToGrid(120).Split(Environment.NewLine);

            Assert.All(lines, line => Assert.True(line.Length <= 120, line));
            Assert.Contains(lines, l => l.StartsWith(" 1 node-1-xxx", StringComparison.Ordinal) && l.EndsWith("x...  -......... .......... .......... .......... ..........", StringComparison.Ordinal));
        }

        [Fact]
        public void Markdown_escapes_pipes_and_line_breaks_and_never_cuts_a_reason()
        {
            string reason = "UDP 8472 is dropped | by sg-1 \\ or the NACL\nsee below " + new string('x', 300);
            VxlanMatrix matrix = VxlanMatrix.FromResults(new[]
            {
                Result("a", "b", VxlanVerdict.MtuBlackhole, reason),
                Result("b", "a", VxlanVerdict.Healthy),
            });

            string markdown = matrix.ToMarkdown();

            string expected = string.Join("\n",
                "**VXLAN paths between 2 nodes: 1 Healthy, 1 MtuBlackhole**",
                string.Empty,
                @"| From \ To | 1 | 2 |",
                "| --- | :-: | :-: |",
                "| 1 a | - | **M** |",
                "| 2 b | . | - |",
                string.Empty,
                "Legend: `.` Healthy, `M` MtuBlackhole, `-` self",
                string.Empty,
                "| Source | Destination | Verdict | Reason | Remedy |",
                "| --- | --- | --- | --- | --- |",
                $"| a | b | MtuBlackhole | UDP 8472 is dropped \\| by sg-1 \\\\ or the NACL see below {new string('x', 300)} |  |");
            Assert.Equal(expected, markdown);
        }

        [Fact]
        public void Mermaid_ids_are_sanitized_unique_and_labelled_with_the_real_name()
        {
            IReadOnlyDictionary<string, string> ids = VxlanMatrixMermaid.Ids(new[] { "ip-10-0-1-1", "ip.10.0.1.1", "10.0.1.2", "end", "agent_1" });

            Assert.Equal("ip_10_0_1_1", ids["ip-10-0-1-1"]);
            Assert.Equal("ip_10_0_1_1_2", ids["ip.10.0.1.1"]);
            Assert.Equal("n_10_0_1_2", ids["10.0.1.2"]);
            Assert.Equal("n_end", ids["end"]);
            Assert.Equal("agent_1", ids["agent_1"]);
        }

        [Fact]
        public void Mermaid_draws_only_failed_pairs_one_arrow_for_both_ways()
        {
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(new[] { "server-1", "agent-1", "agent-2" }, (s, d) =>
                d == "agent-2" || s == "agent-2" ? VxlanVerdict.VxlanBlocked : VxlanVerdict.Healthy)
                .Append(Result("agent-1", "server-1", VxlanVerdict.MtuBlackhole)));

            string expected = string.Join("\n",
                "```mermaid",
                "---",
                "title: \"VXLAN paths between 3 nodes: 1 Healthy, 4 VxlanBlocked, 1 MtuBlackhole (arrows: the failed paths)\"",
                "---",
                "flowchart LR",
                "    agent_1[\"agent-1\"]",
                "    agent_2[\"agent-2\"]",
                "    server_1[\"server-1\"]",
                "    agent_1 <-->|\"VxlanBlocked\"| agent_2",
                "    agent_1 -->|\"MtuBlackhole\"| server_1",
                "    agent_2 <-->|\"VxlanBlocked\"| server_1",
                "    classDef failing stroke:#c00,stroke-width:3px",
                "    class agent_1,agent_2,server_1 failing",
                "```");
            Assert.Equal(expected, matrix.ToMermaid());
        }

        [Fact]
        public void A_healthy_cluster_lists_nothing_under_the_grid()
        {
            VxlanMatrix matrix = VxlanMatrix.FromResults(AllPairs(new[] { "a", "b" }, (_, _) => VxlanVerdict.Healthy));

            Assert.True(matrix.IsHealthy);
            Assert.EndsWith("Legend: . Healthy  - self", matrix.ToGrid(120));
            Assert.DoesNotContain("| Source |", matrix.ToMarkdown());
            Assert.DoesNotContain("-->", matrix.ToMermaid());
        }
    }
}
