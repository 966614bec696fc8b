using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Splits markdown into front matter and blocks (ATX headings, fenced code blocks, paragraphs). It is deliberately not a
    /// full CommonMark parser: PlatyPS pages use only these three block kinds, and knowing the line of each block matters
    /// more here than rendering edge cases.
    /// </summary>
    public static partial class MarkdownDocumentReader
    {
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
            string[] lines = markdown.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');

            int bodyStart = 0;
            var frontMatter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (lines.Length > 0 && lines[0].Trim() == "---")
            {
                int close = Array.FindIndex(lines, 1, l => l.Trim() == "---");
                if (close < 0)
                {
                    diagnostics.Add(new HelpDiagnostic(path, 1, "front matter opened with --- is never closed with a second --- line"));
                }
                else
                {
                    for (int i = 1; i < close; i++)
                    {
                        int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                        if (colon > 0)
                        {
                            frontMatter[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
                        }
                    }

                    bodyStart = close + 1;
                }
            }

            return new MarkdownDocument(path, frontMatter, ReadBlocks(path, lines, bodyStart, diagnostics));
        }

        private static List<MarkdownBlock> ReadBlocks(string path, string[] lines, int start, ICollection<HelpDiagnostic> diagnostics)
        {
            var blocks = new List<MarkdownBlock>();
            int i = start;
            while (i < lines.Length)
            {
                string line = lines[i];
                if (string.IsNullOrWhiteSpace(line))
                {
                    i++;
                    continue;
                }

                Match fence = FenceOpen().Match(line);
                if (fence.Success)
                {
                    i = ReadCodeBlock(path, lines, i, fence, blocks, diagnostics);
                    continue;
                }

                Match heading = Heading().Match(line);
                if (heading.Success)
                {
                    blocks.Add(MarkdownBlock.Heading(i + 1, heading.Groups["marks"].Length, heading.Groups["text"].Value.Trim()));
                    i++;
                    continue;
                }

                int first = i;
                var paragraph = new List<string>();
                while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]) && !FenceOpen().IsMatch(lines[i]) && !Heading().IsMatch(lines[i]))
                {
                    paragraph.Add(lines[i].TrimEnd());
                    i++;
                }

                blocks.Add(MarkdownBlock.Paragraph(first + 1, paragraph));
            }

            return blocks;
        }

        private static int ReadCodeBlock(string path, string[] lines, int open, Match fence, List<MarkdownBlock> blocks, ICollection<HelpDiagnostic> diagnostics)
        {
            int indent = fence.Groups["indent"].Length;
            string marks = fence.Groups["marks"].Value;
            string info = fence.Groups["info"].Value.Trim();
            int space = info.IndexOfAny([' ', '\t']);
            info = (space < 0 ? info : info[..space]).ToLowerInvariant();

            var content = new List<string>();
            int i = open + 1;
            for (; i < lines.Length; i++)
            {
                string candidate = lines[i];
                string trimmed = candidate.Trim();

                // A closing fence is the same character, at least as long, with nothing after it.
                if (candidate.Length - candidate.TrimStart(' ').Length <= 3 && trimmed.Length >= marks.Length
                    && trimmed.Trim(marks[0]).Length == 0)
                {
                    blocks.Add(MarkdownBlock.CodeBlock(open + 1, info, content));
                    return i + 1;
                }

                // Content of an indented fence loses that much indentation, as CommonMark specifies.
                int strip = 0;
                while (strip < indent && strip < candidate.Length && candidate[strip] == ' ')
                {
                    strip++;
                }

                content.Add(candidate[strip..].TrimEnd());
            }

            diagnostics.Add(new HelpDiagnostic(path, open + 1, $"code block opened with {marks} is never closed"));
            blocks.Add(MarkdownBlock.CodeBlock(open + 1, info, content));
            return i;
        }

        [GeneratedRegex(@"^(?<indent> {0,3})(?<marks>`{3,}|~{3,})(?<info>[^`]*)$")]
        private static partial Regex FenceOpen();

        // ATX heading; an optional closing run of '#' is not part of the text.
        [GeneratedRegex(@"^ {0,3}(?<marks>#{1,6})(?:[ \t]+(?<text>.*?))?(?:[ \t]+#+)?[ \t]*$")]
        private static partial Regex Heading();
    }
}
