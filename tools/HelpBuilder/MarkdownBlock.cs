using System;
using System.Collections.Generic;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// A heading, a paragraph or a fenced code block, with the source line it starts on so that diagnostics can point at it.
    /// </summary>
    public sealed class MarkdownBlock
    {
        private MarkdownBlock(MarkdownBlockKind kind, int line, int level, string text, string info, IReadOnlyList<string> lines)
        {
            Kind = kind;
            Line = line;
            Level = level;
            Text = text;
            Info = info;
            Lines = lines;
        }

        public MarkdownBlockKind Kind { get; }

        /// <summary>1-based line the block starts on (the heading line, the first paragraph line, the opening fence).</summary>
        public int Line { get; }

        /// <summary>Heading level (1 for <c>#</c>); 0 for other blocks.</summary>
        public int Level { get; }

        /// <summary>Heading text without the <c>#</c> marks; for paragraphs and code blocks, the lines joined by <c>\n</c>.</summary>
        public string Text { get; }

        /// <summary>The info string of a fenced code block (<c>powershell</c>, <c>yaml</c>, <c>output</c>), lower-cased; empty otherwise.</summary>
        public string Info { get; }

        /// <summary>
        /// The source lines: a paragraph's lines as written (leading indentation kept, trailing space removed), or a code
        /// block's content lines without the fences.
        /// </summary>
        public IReadOnlyList<string> Lines { get; }

        public bool IsHeading(int level) => Kind == MarkdownBlockKind.Heading && Level == level;

        public static MarkdownBlock Heading(int line, int level, string text) =>
            new(MarkdownBlockKind.Heading, line, level, text, string.Empty, Array.Empty<string>());

        public static MarkdownBlock Paragraph(int line, IReadOnlyList<string> lines) =>
            new(MarkdownBlockKind.Paragraph, line, 0, string.Join('\n', lines), string.Empty, lines);

        public static MarkdownBlock CodeBlock(int line, string info, IReadOnlyList<string> lines) =>
            new(MarkdownBlockKind.CodeBlock, line, 0, string.Join('\n', lines), info, lines);

        public override string ToString() => $"{Kind} at line {Line}: {Text}";
    }
}
