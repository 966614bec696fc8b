using System.Collections.Generic;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    public sealed class AboutTopicWriterTests
    {
        private const string Topic = """
            ---
            Module Name: K3sNet
            schema: 2.0.0
            ---

            # about_Sample

            ## about_Sample

            ## Short Description
            Explains **samples** and `Get-Sample`.

            ## LONG DESCRIPTION
            Line one of a paragraph
            and line two, wrapped as in the source.

            ```powershell
            Get-Sample |
                Out-String
            ```

            ### A subsection
            Text under it.
            """;

        [Fact]
        public void The_topic_renders_with_TOPIC_upper_cased_headings_and_indented_body()
        {
            var diagnostics = new List<HelpDiagnostic>();

            string text = AboutTopicWriter.Render("docs/about_Sample.md", Topic, diagnostics);

            Assert.Empty(diagnostics);
            Assert.Equal(
                "TOPIC\n" +
                "    about_Sample\n" +
                "\n" +
                "SHORT DESCRIPTION\n" +
                "    Explains samples and Get-Sample.\n" +
                "\n" +
                "LONG DESCRIPTION\n" +
                "    Line one of a paragraph\n" +
                "    and line two, wrapped as in the source.\n" +
                "\n" +
                "        Get-Sample |\n" +
                "            Out-String\n" +
                "\n" +
                "    A SUBSECTION\n" +
                "    Text under it.\n",
                text);
        }

        [Fact]
        public void An_H1_that_does_not_match_the_file_name_is_reported()
        {
            var diagnostics = new List<HelpDiagnostic>();

            AboutTopicWriter.Render("docs/about_Other.md", Topic, diagnostics);

            HelpDiagnostic diagnostic = Assert.Single(diagnostics);
            Assert.Equal("docs/about_Other.md", diagnostic.Path);
            Assert.Equal(HelpTestFiles.LineOf(Topic, "# about_Sample"), diagnostic.Line);
        }

        [Fact]
        public void The_output_is_named_after_the_source()
        {
            Assert.Equal("about_K3sNet.help.txt", AboutTopicWriter.OutputFileName("docs/about_K3sNet.md"));
        }
    }
}
