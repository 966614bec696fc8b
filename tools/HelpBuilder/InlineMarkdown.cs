using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Parsers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Turns markdown paragraph text into the plain text Get-Help prints: a console cannot show <c>`code`</c> or
    /// <c>**bold**</c>, so the marks are dropped and the words kept. Markdig reads the inline markup (CommonMark's
    /// rules for code spans, escapes, emphasis and links); the text around it is kept as written.
    /// </summary>
    public static partial class InlineMarkdown
    {
        // Inline markup only: with every block parser but the paragraph's removed, a line such as "- item" or "# 1" stays
        // text instead of becoming a list or a heading.
        private static readonly MarkdownPipeline InlineOnly = CreateInlineOnlyPipeline();

        /// <summary>Strips inline markup from one paragraph (or one line) of markdown.</summary>
        public static string ToPlainText(string markdown)
        {
            ArgumentNullException.ThrowIfNull(markdown);

            // Leading indentation is layout (the about topic keeps the source's), not markup.
            string body = markdown.TrimStart();
            var text = new StringBuilder(markdown[..(markdown.Length - body.Length)]);
            bool firstParagraph = true;
            foreach (ParagraphBlock paragraph in Markdown.Parse(body, InlineOnly).OfType<ParagraphBlock>())
            {
                if (!firstParagraph)
                {
                    text.Append("\n\n");
                }

                Append(text, paragraph.Inline);
                firstParagraph = false;
            }

            return text.ToString();
        }

        /// <summary>The links in one paragraph of markdown: their plain text and their target as written.</summary>
        public static IReadOnlyList<(string Text, string Uri)> Links(string markdown)
        {
            ArgumentNullException.ThrowIfNull(markdown);
            return Markdown.Parse(markdown.Trim(), InlineOnly)
                .Descendants<LinkInline>()
                .Where(link => !link.IsImage)
                .Select(link => (Plain(link), link.Url ?? string.Empty))
                .Where(link => link.Item1.Length > 0)
                .ToList();
        }

        /// <summary>
        /// Turns the lines of one markdown paragraph into help paragraphs: hard-wrapped lines are joined with one space, but
        /// each list item starts a paragraph of its own so that lists do not collapse into one run-on line.
        /// </summary>
        public static IReadOnlyList<string> ToParagraphs(IEnumerable<string> lines)
        {
            ArgumentNullException.ThrowIfNull(lines);
            var paragraphs = new List<string>();
            var current = new StringBuilder();
            foreach (string raw in lines)
            {
                string line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (ListItem().IsMatch(line) && current.Length > 0)
                {
                    paragraphs.Add(ToPlainText(current.ToString()));
                    current.Clear();
                }

                if (current.Length > 0)
                {
                    current.Append(' ');
                }

                current.Append(line);
            }

            if (current.Length > 0)
            {
                paragraphs.Add(ToPlainText(current.ToString()));
            }

            return paragraphs;
        }

        /// <summary>True for links Get-Help can open (<c>http</c>, <c>https</c>); relative links to other pages are not.</summary>
        public static bool IsAbsoluteUri(string uri) =>
            Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed)
            && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps);

        private static MarkdownPipeline CreateInlineOnlyPipeline()
        {
            var builder = new MarkdownPipelineBuilder();
            builder.BlockParsers.RemoveAll(parser => parser is not ParagraphBlockParser);
            return builder.Build();
        }

        private static string Plain(ContainerInline container)
        {
            var text = new StringBuilder();
            Append(text, container);
            return text.ToString();
        }

        private static void Append(StringBuilder text, ContainerInline? container)
        {
            for (Inline? inline = container?.FirstChild; inline is not null; inline = inline.NextSibling)
            {
                switch (inline)
                {
                    case LiteralInline literal:
                        text.Append(literal.Content.ToString());
                        break;
                    case CodeInline code:
                        text.Append(code.Content);
                        break;
                    case LinkInline { IsImage: true } image:
                        Append(text, image);
                        break;
                    case LinkInline link:
                        // A page of this help names its target only where Get-Help can open it.
                        Append(text, link);
                        if (link.Url is string url && IsAbsoluteUri(url))
                        {
                            text.Append(" (").Append(url).Append(')');
                        }

                        break;
                    case AutolinkInline { IsEmail: false } autolink when IsAbsoluteUri(autolink.Url):
                        text.Append(autolink.Url);
                        break;
                    case AutolinkInline autolink:
                        text.Append('<').Append(autolink.Url).Append('>');
                        break;
                    case HtmlInline html:
                        text.Append(html.Tag);
                        break;
                    case HtmlEntityInline entity:
                        // As written: help text is not HTML, so &amp; is what the author typed.
                        text.Append(entity.Original.ToString());
                        break;
                    case LineBreakInline:
                        text.Append('\n');
                        break;
                    case ContainerInline children:
                        Append(text, children);
                        break;
                }
            }
        }

        [GeneratedRegex(@"^(?:[-*+]|\d{1,9}[.)])\s")]
        private static partial Regex ListItem();
    }
}
