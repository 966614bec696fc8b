using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Renders a PlatyPS about topic (<c>about_Name.md</c>) as the <c>about_Name.help.txt</c> that
    /// <c>Get-Help about_Name</c> prints: TOPIC and the name first, then each <c>##</c> heading upper-cased on a line of
    /// its own with its text under it, indented by four spaces. Lines keep the source's wrapping; code blocks keep
    /// their text verbatim, indented four spaces deeper than prose so that they stand out in a console.
    /// </summary>
    public static class AboutTopicWriter
    {
        private const string Indent = "    ";
        private const string CodeIndent = Indent + Indent;

        /// <summary>The output file name for an about topic source: <c>about_K3sNet.md</c> → <c>about_K3sNet.help.txt</c>.</summary>
        public static string OutputFileName(string markdownPath)
        {
            ArgumentNullException.ThrowIfNull(markdownPath);
            return Path.GetFileNameWithoutExtension(markdownPath) + ".help.txt";
        }

        public static string Render(string path, string markdown, ICollection<HelpDiagnostic> diagnostics) =>
            Render(MarkdownDocumentReader.Read(path, markdown, diagnostics), diagnostics);

        public static string Render(MarkdownDocument document, ICollection<HelpDiagnostic> diagnostics)
        {
            ArgumentNullException.ThrowIfNull(document);
            ArgumentNullException.ThrowIfNull(diagnostics);

            MarkdownBlock? title = document.Blocks.FirstOrDefault(b => b.IsHeading(1));
            string topic = document.FileStem;
            if (title is null)
            {
                diagnostics.Add(new HelpDiagnostic(document.Path, 1, $"no '# {document.FileStem}' heading: an about topic starts with its name as its H1"));
            }
            else if (!string.Equals(title.Text, document.FileStem, StringComparison.Ordinal))
            {
                diagnostics.Add(new HelpDiagnostic(document.Path, title.Line,
                    $"the H1 '# {title.Text}' does not match the file name: expected '# {document.FileStem}'"));
            }

            var text = new StringBuilder();
            text.Append("TOPIC\n").Append(Indent).Append(topic).Append('\n');
            bool afterHeading = false;
            IEnumerable<MarkdownBlock> body = title is null ? document.Blocks : document.Blocks.SkipWhile(b => b != title).Skip(1);
            foreach (MarkdownBlock block in body)
            {
                // PlatyPS's template repeats the name as "## about_Name" right under the H1; TOPIC already said it.
                if (block.Kind == MarkdownBlockKind.Heading && string.Equals(block.Text, topic, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!afterHeading)
                {
                    text.Append('\n');
                }

                afterHeading = block.Kind == MarkdownBlockKind.Heading;
                switch (block.Kind)
                {
                    case MarkdownBlockKind.Heading:
                        string heading = InlineMarkdown.ToPlainText(block.Text).ToUpperInvariant();
                        text.Append(block.Level <= 2 ? heading : Indent + heading).Append('\n');
                        break;
                    case MarkdownBlockKind.Paragraph:
                        foreach (string line in block.Lines)
                        {
                            text.Append(Indent).Append(InlineMarkdown.ToPlainText(line)).Append('\n');
                        }

                        break;
                    case MarkdownBlockKind.CodeBlock:
                        foreach (string line in block.Lines)
                        {
                            text.Append(line.Length == 0 ? string.Empty : CodeIndent + line).Append('\n');
                        }

                        break;
                }
            }

            return text.ToString();
        }

        /// <summary>
        /// Writes rendered text next to the other help files, named after its source; returns the path written. UTF-8
        /// without BOM: the module needs PowerShell 7, which reads that by default.
        /// </summary>
        public static string Write(string outputDirectory, string markdownPath, string renderedText)
        {
            ArgumentNullException.ThrowIfNull(outputDirectory);
            ArgumentNullException.ThrowIfNull(renderedText);
            string path = Path.Combine(outputDirectory, OutputFileName(markdownPath));
            File.WriteAllText(path, renderedText, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return path;
        }
    }
}
