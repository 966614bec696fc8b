using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Splits markdown into front matter and blocks with Markdig (CommonMark): ATX headings and fenced code blocks as
    /// Markdig finds them, and every other run of non-blank lines (paragraphs, lists, tables, quotes) as a paragraph of
    /// its source lines. PlatyPS pages use only these three kinds, and knowing the line of each block matters more here
    /// than the structure inside a paragraph, which InlineMarkdown and the help's own text handle.
    /// </summary>
    public static class MarkdownDocumentReader
    {
        private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePreciseSourceLocation().Build();

        public static MarkdownDocument ReadFile(string path, ICollection<HelpDiagnostic> diagnostics)
        {
            ArgumentNullException.ThrowIfNull(path);
            return Read(path, File.ReadAllText(path), diagnostics);
        }

        public static MarkdownDocument Read(string path, string markdown, ICollection<HelpDiagnostic> diagnostics)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(markdown);
            ArgumentNullException.ThrowIfNull(diagnostics);

            // Windows checkouts bring CRLF; every line number below counts '\n' only.
            string text = markdown.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
            string[] lines = text.Split('\n');
            Markdig.Syntax.MarkdownDocument parsed = Markdown.Parse(text, Pipeline);

            var frontMatter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var blocks = new List<MarkdownBlock>();
            // Lines that belong to neither a heading nor a fenced code block: paragraphs, once split at blank lines.
            var loose = new SortedSet<int>();
            foreach (Block block in parsed)
            {
                switch (block)
                {
                    case YamlFrontMatterBlock yaml:
                        foreach (string line in ContentLines(yaml))
                        {
                            int colon = line.IndexOf(':', StringComparison.Ordinal);
                            if (colon > 0)
                            {
                                frontMatter[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                            }
                        }

                        break;
                    case HeadingBlock { IsSetext: false } heading:
                        blocks.Add(MarkdownBlock.Heading(heading.Line + 1, heading.Level, HeadingText(text, heading)));
                        break;
                    case FencedCodeBlock fence:
                        string info = (fence.Info ?? string.Empty).ToLowerInvariant();
                        List<string> content = ContentLines(fence).Select(l => l.TrimEnd()).ToList();
                        if (fence.ClosingFencedCharCount == 0)
                        {
                            diagnostics.Add(new HelpDiagnostic(path, fence.Line + 1, $"code block opened with {new string(fence.FencedChar, fence.OpeningFencedCharCount)} is never closed"));
                            // Markdig ends an unclosed fence at the last non-blank line; the text runs to the end of the file.
                            content.AddRange(lines.Skip(fence.Line + 1 + content.Count).Select(l => l.TrimEnd()));
                        }

                        blocks.Add(MarkdownBlock.CodeBlock(fence.Line + 1, info, content));
                        break;
                    default:
                        for (int line = block.Line; line <= LineOf(text, block.Span.End) && line < lines.Length; line++)
                        {
                            loose.Add(line);
                        }

                        break;
                }
            }

            if (frontMatter.Count == 0 && lines.Length > 0 && lines[0].Trim() == "---" && parsed.FirstOrDefault() is not YamlFrontMatterBlock)
            {
                diagnostics.Add(new HelpDiagnostic(path, 1, "front matter opened with --- is never closed with a second --- line"));
            }

            blocks.AddRange(Paragraphs(lines, loose));
            return new MarkdownDocument(path, frontMatter, blocks.OrderBy(b => b.Line).ToList());
        }

        /// <summary>Runs of non-blank lines, each a paragraph, as written (leading indentation kept, trailing space removed).</summary>
        private static IEnumerable<MarkdownBlock> Paragraphs(string[] lines, SortedSet<int> loose)
        {
            var paragraph = new List<string>();
            int first = -1;
            int previous = -2;
            foreach (int line in loose.Append(int.MaxValue))
            {
                bool blank = line == int.MaxValue || string.IsNullOrWhiteSpace(lines[line]);
                if (paragraph.Count > 0 && (blank || line != previous + 1))
                {
                    yield return MarkdownBlock.Paragraph(first + 1, paragraph);
                    paragraph = new List<string>();
                }

                if (!blank)
                {
                    if (paragraph.Count == 0)
                    {
                        first = line;
                    }

                    paragraph.Add(lines[line].TrimEnd());
                }

                previous = line;
            }
        }

        private static IEnumerable<string> ContentLines(LeafBlock block)
        {
            for (int i = 0; i < block.Lines.Count; i++)
            {
                yield return block.Lines.Lines[i].Slice.ToString();
            }
        }

        /// <summary>The heading's text as written, without its marks (and without an optional closing run of '#').</summary>
        private static string HeadingText(string text, HeadingBlock heading)
        {
            if (heading.Inline?.FirstChild is not { } first || heading.Inline.LastChild is not { } last)
            {
                return string.Empty;
            }

            return text[first.Span.Start..(last.Span.End + 1)].Trim();
        }

        private static int LineOf(string text, int offset)
        {
            int line = 0;
            for (int i = 0; i < offset && i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                }
            }

            return line;
        }
    }
}
