using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    /// <summary>Each broken page is reported with its file, the line to fix, and what is wrong.</summary>
    public sealed class ValidationTests : IDisposable
    {
        private readonly TemporaryFolder _folder = new();

        public void Dispose() => _folder.Dispose();

        private List<HelpDiagnostic> Check(string markdown, out string path, string fileName = "Get-Sample.md")
        {
            path = _folder.Write(fileName, markdown);
            var diagnostics = new List<HelpDiagnostic>();
            MarkdownHelpParser.ParseFile(path, diagnostics);
            return diagnostics;
        }

        private HelpDiagnostic CheckSingle(string markdown, out string path, string fileName = "Get-Sample.md") =>
            Assert.Single(Check(markdown, out path, fileName));

        [Fact]
        public void The_sample_page_is_valid()
        {
            Assert.Empty(Check(HelpTestFiles.SamplePage, out _));
        }

        [Theory]
        [InlineData("SYNOPSIS")]
        [InlineData("SYNTAX")]
        [InlineData("DESCRIPTION")]
        [InlineData("EXAMPLES")]
        [InlineData("PARAMETERS")]
        [InlineData("INPUTS")]
        [InlineData("OUTPUTS")]
        public void A_missing_section_is_reported_at_the_H1(string section)
        {
            string page = HelpTestFiles.WithoutSection(HelpTestFiles.SamplePage, section);

            // Without SYNTAX or PARAMETERS nothing cross-checks them, so the missing section is the one problem.
            HelpDiagnostic diagnostic = CheckSingle(page, out string path);

            Assert.Equal(path, diagnostic.Path);
            Assert.Equal(HelpTestFiles.LineOf(page, "# Get-Sample"), diagnostic.Line);
            Assert.Equal($"no '## {section}' section", diagnostic.Message);
        }

        [Fact]
        public void An_empty_synopsis_is_reported_at_its_heading()
        {
            string page = HelpTestFiles.SamplePage.Replace("Gets a sample.\n", "", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out string path);

            Assert.Equal(path, diagnostic.Path);
            Assert.Equal(HelpTestFiles.LineOf(page, "## SYNOPSIS"), diagnostic.Line);
            Assert.Contains("SYNOPSIS' is empty", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void An_example_without_a_powershell_block_is_reported_at_its_heading()
        {
            string page = HelpTestFiles.SamplePage.Replace("```powershell", "```text", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out string path);

            Assert.Equal(HelpTestFiles.LineOf(page, "### Example 1: Get one sample"), diagnostic.Line);
            Assert.Contains("has no ```powershell code block", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Examples_without_any_example_are_reported_at_the_section()
        {
            string page = HelpTestFiles.SamplePage.Replace("### Example 1: Get one sample\n", "", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Equal(HelpTestFiles.LineOf(page, "## EXAMPLES"), diagnostic.Line);
        }

        [Fact]
        public void A_parameter_without_yaml_is_reported_at_its_heading()
        {
            string[] lines = HelpTestFiles.SamplePage.Split('\n');
            int yaml = Array.IndexOf(lines, "```yaml", Array.IndexOf(lines, "### -Force"));
            string page = string.Join('\n', lines.Take(yaml).Concat(lines.Skip(yaml + 11)));

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Equal(HelpTestFiles.LineOf(page, "### -Force"), diagnostic.Line);
            Assert.Contains("-Force has no ```yaml block", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_parameter_without_description_is_reported_at_its_heading()
        {
            string page = HelpTestFiles.SamplePage.Replace("The name of the sample.\n", "", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Equal(HelpTestFiles.LineOf(page, "### -Name"), diagnostic.Line);
            Assert.Equal("parameter -Name has no description", diagnostic.Message);
        }

        [Fact]
        public void An_H1_that_does_not_match_the_file_name_is_reported_at_the_H1()
        {
            HelpDiagnostic diagnostic = CheckSingle(HelpTestFiles.SamplePage, out string path, fileName: "Get-Other.md");

            Assert.Equal(path, diagnostic.Path);
            Assert.Equal(HelpTestFiles.LineOf(HelpTestFiles.SamplePage, "# Get-Sample"), diagnostic.Line);
            Assert.Contains("expected '# Get-Other'", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Every_problem_of_a_page_is_reported_not_just_the_first()
        {
            string page = HelpTestFiles.WithoutSection(HelpTestFiles.SamplePage, "OUTPUTS")
                .Replace("Gets a sample.\n", "", StringComparison.Ordinal)
                .Replace("The name of the sample.\n", "", StringComparison.Ordinal);

            List<HelpDiagnostic> diagnostics = Check(page, out _, fileName: "Get-Wrong.md");

            int title = HelpTestFiles.LineOf(page, "# Get-Sample");
            Assert.Equal(4, diagnostics.Count);
            Assert.Contains(diagnostics, d => d.Line == title && d.Message.StartsWith("the H1 '# Get-Sample'", StringComparison.Ordinal));
            Assert.Contains(diagnostics, d => d.Line == title && d.Message == "no '## OUTPUTS' section");
            Assert.Contains(diagnostics, d => d.Line == HelpTestFiles.LineOf(page, "## SYNOPSIS") && d.Message == "'## SYNOPSIS' is empty");
            Assert.Contains(diagnostics, d => d.Line == HelpTestFiles.LineOf(page, "### -Name") && d.Message == "parameter -Name has no description");
        }

        [Fact]
        public void A_build_reports_the_problems_of_every_file_and_writes_nothing()
        {
            string docs = Path.Combine(_folder.Path, "docs");
            string output = Path.Combine(_folder.Path, "out");
            Directory.CreateDirectory(docs);
            string first = Path.Combine(docs, "Get-First.md");
            string second = Path.Combine(docs, "Get-Second.md");
            File.WriteAllText(first, HelpTestFiles.SamplePage.Replace("# Get-Sample", "# Get-First", StringComparison.Ordinal)
                .Replace("Gets a sample.\n", "", StringComparison.Ordinal));
            File.WriteAllText(second, HelpTestFiles.SamplePage.Replace("# Get-Sample", "# Get-Second", StringComparison.Ordinal)
                .Replace("The name of the sample.\n", "", StringComparison.Ordinal));

            HelpBuildResult result = HelpBuild.Run(docs, output);

            Assert.False(result.Succeeded);
            Assert.Equal(new[] { first, second }, result.Diagnostics.Select(d => d.Path));
            Assert.Empty(result.WrittenFiles);
            Assert.False(Directory.Exists(output));
        }

        [Fact]
        public void CommonParameters_is_not_a_parameter_even_without_yaml()
        {
            var diagnostics = new List<HelpDiagnostic>();

            CommandHelpDocument help = MarkdownHelpParser.Parse("Get-Sample.md", HelpTestFiles.SamplePage, diagnostics);

            Assert.Empty(diagnostics);
            Assert.Equal(new[] { "Name", "Force" }, help.Parameters.Select(p => p.Name));
        }

        [Fact]
        public void A_PlatyPS_placeholder_left_in_is_reported_on_its_line()
        {
            string page = HelpTestFiles.SamplePage.Replace("Gets a sample for the tests.", "{{ Fill in the Description }}", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Equal(HelpTestFiles.LineOf(page, "{{ Fill in the Description }}"), diagnostic.Line);
            Assert.Contains("placeholder", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_syntax_parameter_without_a_PARAMETERS_entry_is_reported_at_the_syntax_block()
        {
            string page = HelpTestFiles.SamplePage.Replace("[-Force] [<CommonParameters>]", "[-Force] [-Missing] [<CommonParameters>]", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Equal(HelpTestFiles.LineOf(page, "## SYNTAX") + 2, diagnostic.Line);
            Assert.Contains("-Missing, which has no '### -Missing'", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_parameter_missing_from_the_syntax_block_is_reported()
        {
            string page = HelpTestFiles.SamplePage.Replace(" [-Force] [<CommonParameters>]", " [<CommonParameters>]", StringComparison.Ordinal);

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Contains("-Force belongs to the only parameter set", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_yaml_value_that_is_not_a_boolean_is_reported_on_its_line()
        {
            string[] lines = HelpTestFiles.SamplePage.Split('\n');
            int required = Array.IndexOf(lines, "Required: False");
            lines[required] = "Required: Maybe";
            string page = string.Join('\n', lines);

            HelpDiagnostic diagnostic = CheckSingle(page, out _);

            Assert.Equal(required + 1, diagnostic.Line);
            Assert.Contains("must be True or False", diagnostic.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Diagnostics_print_as_path_line_message()
        {
            Assert.Equal("docs/Get-Foo.md:12: no '## SYNOPSIS' section", new HelpDiagnostic("docs/Get-Foo.md", 12, "no '## SYNOPSIS' section").ToString());
        }
    }
}
