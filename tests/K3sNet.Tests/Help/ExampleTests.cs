using System;
using System.Collections.Generic;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    public sealed class ExampleTests
    {
        private static ExampleHelp ParseExample(string exampleMarkdown)
        {
            string page = HelpTestFiles.SamplePage.Replace(
                "### Example 1: Get one sample\n```powershell\nGet-Sample -Name a\n```\n\nGets the sample named a.\n",
                exampleMarkdown,
                StringComparison.Ordinal);
            Assert.NotEqual(HelpTestFiles.SamplePage, page);
            var diagnostics = new List<HelpDiagnostic>();
            CommandHelpDocument help = MarkdownHelpParser.Parse("Get-Sample.md", page, diagnostics);
            Assert.Empty(diagnostics);
            return Assert.Single(help.Examples);
        }

        [Fact]
        public void An_empty_output_block_adds_no_remark()
        {
            ExampleHelp example = ParseExample("### Example 1: One\n```powershell\nGet-Sample\n```\n\n```output\n```\n\nExplained.\n");

            Assert.Equal(new[] { "Explained." }, example.Remarks);
        }

        [Fact]
        public void Output_keeps_its_layout_and_remark_paragraphs_follow_in_page_order()
        {
            ExampleHelp example = ParseExample(
                "### Example 1: One\n```powershell\nGet-Sample\n```\n\n```output\nName  Size\n----  ----\na        1\n```\n\nFirst **remark**\nwrapped.\n\nSecond remark.\n");

            Assert.Equal(new[] { "Name  Size\n----  ----\na        1", "First remark wrapped.", "Second remark." }, example.Remarks);
        }

        [Fact]
        public void Two_powershell_blocks_make_one_code_with_a_blank_line_between()
        {
            ExampleHelp example = ParseExample("### Example 1: Two steps\n```powershell\n$a = Get-Sample\n```\n\n```powershell\n$a.Name\n```\n");

            Assert.Equal("$a = Get-Sample\n\n$a.Name", example.Code);
        }

        [Theory]
        [InlineData("Example 1: Get one", "-------------------------- Example 1: Get one --------------------------")]
        [InlineData("-------------------------- EXAMPLE 1 --------------------------", "-------------------------- EXAMPLE 1 --------------------------")]
        public void Titles_are_framed_in_dashes_once(string title, string expected)
        {
            Assert.Equal(expected, MamlWriter.ExampleTitle(title));
        }
    }
}
