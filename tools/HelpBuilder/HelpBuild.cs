using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Turns a docs folder into the module's help files: one MAML file for every cmdlet page and one text file per about
    /// topic. It reads and checks every page before writing anything, so a broken page never leaves half-updated help
    /// behind and one run reports every problem in every page.
    /// </summary>
    public static class HelpBuild
    {
        public const string DefaultAssemblyName = "K3sNet.dll";

        public static HelpBuildResult Run(string docsDirectory, string outputDirectory, string assemblyName = DefaultAssemblyName)
        {
            ArgumentNullException.ThrowIfNull(docsDirectory);
            ArgumentNullException.ThrowIfNull(outputDirectory);
            ArgumentNullException.ThrowIfNull(assemblyName);

            var diagnostics = new List<HelpDiagnostic>();
            var commands = new List<CommandHelpDocument>();
            var aboutTopics = new List<(string Source, string Text)>();

            // Ordinal order keeps the MAML identical from one machine to the next.
            foreach (string path in Directory.GetFiles(docsDirectory, "*.md").Order(StringComparer.Ordinal))
            {
                MarkdownDocument document = MarkdownDocumentReader.ReadFile(path, diagnostics);
                if (IsAboutTopic(path))
                {
                    aboutTopics.Add((path, AboutTopicWriter.Render(document, diagnostics)));
                }
                else if (document.IsCommandPage)
                {
                    commands.Add(MarkdownHelpParser.Parse(document, diagnostics));
                }

                // Anything else (benchmarks.md, a README) is documentation for people browsing the repository, not help.
            }

            if (diagnostics.Count > 0)
            {
                return new HelpBuildResult([], diagnostics.OrderBy(d => d.Path, StringComparer.Ordinal).ThenBy(d => d.Line).ToList());
            }

            Directory.CreateDirectory(outputDirectory);
            var written = new List<string>();
            string mamlPath = Path.Combine(outputDirectory, MamlFileName(assemblyName));
            MamlWriter.Write(mamlPath, commands);
            written.Add(mamlPath);
            foreach ((string source, string text) in aboutTopics)
            {
                written.Add(AboutTopicWriter.Write(outputDirectory, source, text));
            }

            return new HelpBuildResult(written, diagnostics);
        }

        /// <summary>PowerShell looks for a binary module's help as <c>&lt;assembly file name&gt;-Help.xml</c>.</summary>
        public static string MamlFileName(string assemblyName) => assemblyName + "-Help.xml";

        public static bool IsAboutTopic(string path) =>
            Path.GetFileName(path).StartsWith("about_", StringComparison.OrdinalIgnoreCase)
            && Path.GetExtension(path).Equals(".md", StringComparison.OrdinalIgnoreCase);
    }
}
