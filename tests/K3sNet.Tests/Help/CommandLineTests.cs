using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    public sealed class CommandLineTests : IDisposable
    {
        private readonly TemporaryFolder _folder = new();

        public void Dispose() => _folder.Dispose();

        private string Docs(params (string Name, string Content)[] files)
        {
            string docs = Path.Combine(_folder.Path, "docs");
            Directory.CreateDirectory(docs);
            foreach ((string name, string content) in files)
            {
                File.WriteAllText(Path.Combine(docs, name), content);
            }

            return docs;
        }

        private static (int ExitCode, string Output, string Error) Run(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            int exitCode = Program.Run(args, output, error);
            return (exitCode, output.ToString(), error.ToString());
        }

        [Theory]
        [InlineData(new string[0], "--docs is required")]
        [InlineData(new[] { "--docs" }, "--docs needs a value")]
        [InlineData(new[] { "--docs", ".", "--verbose" }, "unknown argument '--verbose'")]
        [InlineData(new[] { "--docs", "." }, "--out is required")]
        [InlineData(new[] { "--docs", "/no/such/folder/k3snet", "--out", "x" }, "is not a directory")]
        [InlineData(new[] { "--docs", ".", "--out", "x", "--assembly", "../K3sNet.dll" }, "must be a file name")]
        public void Usage_errors_exit_2_and_say_what_is_wrong(string[] args, string problem)
        {
            (int exitCode, string output, string error) = Run(args);

            Assert.Equal(2, exitCode);
            Assert.Contains(problem, error, StringComparison.Ordinal);
            Assert.Contains("usage:", error, StringComparison.Ordinal);
            Assert.Empty(output);
        }

        [Fact]
        public void Valid_docs_write_the_maml_and_the_about_topics_and_skip_other_pages()
        {
            string docs = Docs(
                ("Get-Sample.md", HelpTestFiles.SamplePage),
                ("about_Sample.md", "# about_Sample\n\n## SHORT DESCRIPTION\nA sample.\n"),
                ("benchmarks.md", "# Benchmarks\n\nNumbers.\n"));
            string output = Path.Combine(_folder.Path, "out");

            (int exitCode, string stdout, string error) = Run("--docs", docs, "--out", output);

            Assert.Equal(0, exitCode);
            Assert.Empty(error);
            string maml = Path.Combine(output, "K3sNet.dll-Help.xml");
            string about = Path.Combine(output, "about_Sample.help.txt");
            Assert.Equal(new[] { $"wrote {maml}", $"wrote {about}" }, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal(new[] { maml, about }, Directory.GetFiles(output).Order(StringComparer.Ordinal));
            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
            Assert.Equal(new[] { "Get-Sample" }, XDocument.Load(maml).Descendants(command + "details").Select(d => d.Element(command + "name")!.Value));
            Assert.StartsWith("TOPIC\n    about_Sample\n\nSHORT DESCRIPTION\n    A sample.", File.ReadAllText(about), StringComparison.Ordinal);
        }

        [Fact]
        public void The_assembly_option_names_the_maml_file()
        {
            string docs = Docs(("Get-Sample.md", HelpTestFiles.SamplePage));
            string output = Path.Combine(_folder.Path, "out");

            (int exitCode, _, _) = Run("--docs", docs, "--out", output, "--assembly", "Other.dll");

            Assert.Equal(0, exitCode);
            Assert.True(File.Exists(Path.Combine(output, "Other.dll-Help.xml")));
        }

        [Fact]
        public void Invalid_docs_exit_1_with_each_problem_on_stderr_as_path_line_message()
        {
            string docs = Docs(
                ("Get-Sample.md", HelpTestFiles.SamplePage.Replace("Gets a sample.\n", "", StringComparison.Ordinal)),
                ("about_Sample.md", "# about_Wrong\n"));
            string output = Path.Combine(_folder.Path, "out");

            (int exitCode, string stdout, string error) = Run("--docs", docs, "--out", output);

            Assert.Equal(1, exitCode);
            Assert.Empty(stdout);
            string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(
                new[]
                {
                    $"{Path.Combine(docs, "Get-Sample.md")}:{HelpTestFiles.LineOf(HelpTestFiles.SamplePage, "## SYNOPSIS")}: '## SYNOPSIS' is empty",
                    $"{Path.Combine(docs, "about_Sample.md")}:1: the H1 '# about_Wrong' does not match the file name: expected '# about_Sample'",
                },
                lines.Take(2).Order(StringComparer.Ordinal));
            Assert.Contains("2 problem(s)", lines[2], StringComparison.Ordinal);
            Assert.False(Directory.Exists(output));
        }
    }
}
