using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace K3sNet.Tests.PodNetwork
{
    public sealed class PodNetworkMatrixTests
    {
        private static readonly string[] Three = { "k3s-server", "k3s-agent-1", "k3s-agent-2" };

        private static PodNetworkResult Pair(string source, string destination, PodNetworkVerdict verdict, VxlanVerdict? cause = null) => new()
        {
            Check = PodNetworkCheck.PodToPod,
            Source = source,
            Destination = destination,
            Verdict = verdict,
            Cause = cause,
            Reason = $"pods on {source} to {destination}",
        };

        /// <summary>Pairs into or out of agent-2 failed (with <paramref name="cause"/> when given), the rest Healthy; and agent-2's cluster DNS failed.</summary>
        private static IEnumerable<PodNetworkResult> Story(VxlanVerdict? cause)
        {
            foreach (string s in Three)
            {
                foreach (string d in Three.Where(d => d != s))
                {
                    yield return Pair(s, d, s == "k3s-agent-2" || d == "k3s-agent-2" ? PodNetworkVerdict.Failed : PodNetworkVerdict.Healthy, s == "k3s-agent-2" || d == "k3s-agent-2" ? cause : null);
                }

                yield return new PodNetworkResult
                {
                    Check = PodNetworkCheck.ClusterDns,
                    Source = s,
                    Destination = "cluster DNS",
                    Verdict = s == "k3s-agent-2" ? PodNetworkVerdict.Failed : PodNetworkVerdict.Healthy,
                    Reason = s == "k3s-agent-2" ? "Pods on k3s-agent-2 cannot resolve names: the cluster DNS (10.43.0.10) runs on k3s-server, which they cannot reach through VXLAN (UDP 8472)." : "fine",
                };
            }
        }

        [Fact]
        public void Pod_pairs_fill_the_grid_and_the_other_checks_are_kept_apart()
        {
            PodNetworkMatrix matrix = PodNetworkMatrix.FromResults(Story(cause: null));

            Assert.Equal(new[] { "k3s-agent-1", "k3s-agent-2", "k3s-server" }, matrix.Nodes);
            Assert.Equal(6, matrix.PairCount);
            Assert.Equal(4, matrix.FailedPairs.Length);
            Assert.Equal(3, matrix.OtherChecks.Length);
            Assert.False(matrix.IsHealthy);
            Assert.Equal("Pod-to-pod paths between 3 nodes: 2 Healthy, 4 Failed; other checks: 2 Healthy, 1 Failed", matrix.Summary);
        }

        [Fact]
        public void A_failure_shows_X_without_a_cause_and_the_causes_letter_with_one()
        {
            string[] rows = Rows(PodNetworkMatrix.FromResults(Story(cause: null)).ToGrid(120));
            Assert.Equal(new[] { "- X .", "X - X", ". X -" }, rows);

            string[] explained = Rows(PodNetworkMatrix.FromResults(Story(VxlanVerdict.VxlanBlocked)).ToGrid(120));
            Assert.Equal(new[] { "- B .", "B - B", ". B -" }, explained);
        }

        [Fact]
        public void The_list_under_the_grid_names_the_failed_DNS_check_too()
        {
            string grid = PodNetworkMatrix.FromResults(Story(cause: null)).ToGrid(200);

            Assert.Contains("Legend: . Healthy  X Failed  - self", grid);
            Assert.Contains("k3s-agent-2 -> cluster DNS", grid);
            Assert.Contains("the cluster DNS (10.43.0.10) runs on k3s-server", grid);
        }

        [Fact]
        public void Untested_and_missing_pairs_are_question_marks_never_healthy()
        {
            PodNetworkMatrix matrix = PodNetworkMatrix.FromResults(new[]
            {
                Pair("a", "b", PodNetworkVerdict.Healthy),
                Pair("b", "a", PodNetworkVerdict.NotTested),
            }.Append(Pair("c", "a", PodNetworkVerdict.Healthy)));

            Assert.Equal(new[] { "- . ?", "? - ?", ". ? -" }, Rows(matrix.ToGrid(120)));
            Assert.Equal(4, matrix.UntestedPairs.Length);
            Assert.False(matrix.IsHealthy);
        }

        [Fact]
        public void A_node_seen_only_in_other_checks_adds_no_row_of_question_marks()
        {
            PodNetworkMatrix matrix = PodNetworkMatrix.FromResults(new[]
            {
                Pair("a", "b", PodNetworkVerdict.Healthy),
                Pair("b", "a", PodNetworkVerdict.Healthy),
                new PodNetworkResult { Check = PodNetworkCheck.ClusterDns, Source = "c", Destination = "cluster DNS", Verdict = PodNetworkVerdict.Healthy },
            });

            Assert.Equal(new[] { "a", "b" }, matrix.Nodes);
            Assert.Single(matrix.OtherChecks);
            Assert.True(matrix.IsHealthy);
        }

        [Fact]
        public void Markdown_and_Mermaid_draw_the_failed_pairs()
        {
            PodNetworkMatrix matrix = PodNetworkMatrix.FromResults(Story(VxlanVerdict.VxlanBlocked));

            Assert.Contains("| 2 k3s-agent-2 | **B** | - | **B** |", matrix.ToMarkdown());
            Assert.Contains("k3s_agent_1 <-->|\"Failed (VxlanBlocked)\"| k3s_agent_2", matrix.ToMermaid());
        }

        /// <summary>The grid's cell rows: the text after each row's name, for rows 1 to 3.</summary>
        private static string[] Rows(string grid) => grid.Split(Environment.NewLine)
            .Where(l => l.Length > 2 && char.IsAsciiDigit(l[0]) && l[1] == ' ')
            .Select(l => l[(l.IndexOf("  ", StringComparison.Ordinal) + 2)..].Trim())
            .ToArray();
    }
}
