using System.Collections.Generic;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    /// <summary>How the help builder splits a page into front matter and blocks (Markdig underneath), line numbers kept.</summary>
    public sealed class MarkdownDocumentReaderTests
    {
        private static (MarkdownDocument Document, List<HelpDiagnostic> Diagnostics) Read(params string[] lines)
        {
            var diagnostics = new List<HelpDiagnostic>();
            return (MarkdownDocumentReader.Read("page.md", string.Join("\r\n", lines), diagnostics), diagnostics);
        }

        [Fact]
        public void Front_matter_headings_fences_and_paragraphs_come_with_their_lines()
        {
            var (document, diagnostics) = Read(
                "---", "external help file: K3sNet.dll-Help.xml", "Module Name: K3sNet", "---", "",
                "# Get-K3sNode ##", "", "## SYNOPSIS", "Lists the nodes,", "  wrapped.", "- first item", "- second item", "",
                "~~~~ PowerShell title", "Get-K3sNode", "  | Test-K3sVxlan", "~~~~~~", "", "| a | b |", "|---|---|");

            Assert.Empty(diagnostics);
            Assert.Equal("K3sNet.dll-Help.xml", document.FrontMatter["External Help File"]);
            Assert.True(document.IsCommandPage);
            Assert.Collection(document.Blocks,
                b => Assert.Equal((MarkdownBlockKind.Heading, 6, 1, "Get-K3sNode"), (b.Kind, b.Line, b.Level, b.Text)),
                b => Assert.Equal((MarkdownBlockKind.Heading, 8, 2, "SYNOPSIS"), (b.Kind, b.Line, b.Level, b.Text)),
                // A list that follows a paragraph without a blank line is part of that paragraph's lines, as written.
                b => Assert.Equal((MarkdownBlockKind.Paragraph, 9, "Lists the nodes,\n  wrapped.\n- first item\n- second item"), (b.Kind, b.Line, b.Text)),
                b => Assert.Equal((MarkdownBlockKind.CodeBlock, 14, "powershell", "Get-K3sNode\n  | Test-K3sVxlan"), (b.Kind, b.Line, b.Info, b.Text)),
                b => Assert.Equal((MarkdownBlockKind.Paragraph, 19, "| a | b |\n|---|---|"), (b.Kind, b.Line, b.Text)));
        }

        [Fact]
        public void A_fence_that_is_never_closed_is_reported_and_runs_to_the_end()
        {
            var (document, diagnostics) = Read("# T", "", "```powershell", "Get-K3sNode", "", "# not a heading");

            HelpDiagnostic diagnostic = Assert.Single(diagnostics);
            Assert.Equal(3, diagnostic.Line);
            Assert.Contains("``` is never closed", diagnostic.Message, System.StringComparison.Ordinal);
            MarkdownBlock code = document.Blocks[1];
            Assert.Equal(new[] { "Get-K3sNode", "", "# not a heading" }, code.Lines);
        }

        [Fact]
        public void Front_matter_that_is_never_closed_is_reported()
        {
            var (_, diagnostics) = Read("---", "external help file: K3sNet.dll-Help.xml", "", "# Get-K3sNode");

            Assert.Equal(1, Assert.Single(diagnostics).Line);
        }
    }
}
