using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Turns markdown paragraph text into the plain text Get-Help prints: a console cannot show <c>`code`</c> or
    /// <c>**bold**</c>, so the marks are dropped and the words kept.
    /// </summary>
    public static partial class InlineMarkdown
    {
        // Code spans and backslash escapes are swapped for Private Use Area placeholders while the emphasis and link
        // patterns run, so that nothing inside a code span, and no escaped character, is ever taken for markup.
        private const char CodeSpanStart = '\uE000';
        private const char CodeSpanEnd = '\uE001';
        private const char EscapedBase = '\uE100';

        // The characters CommonMark lets a backslash escape.
        private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

        /// <summary>Strips inline markup from one paragraph (or one line) of markdown.</summary>
        public static string ToPlainText(string markdown)
        {
            ArgumentNullException.ThrowIfNull(markdown);

            var codeSpans = new List<string>();
            string text = ProtectCodeSpansAndEscapes(markdown, codeSpans);

            text = Image().Replace(text, m => m.Groups["text"].Value);
            text = Link().Replace(text, m => IsAbsoluteUri(m.Groups["uri"].Value)
                ? $"{m.Groups["text"].Value} ({m.Groups["uri"].Value})"
                : m.Groups["text"].Value);
            text = AutoLink().Replace(text, m => m.Groups["uri"].Value);
            text = StrongStars().Replace(text, m => m.Groups["text"].Value);
            text = StrongUnderscores().Replace(text, m => m.Groups["text"].Value);
            text = EmphasisStar().Replace(text, m => m.Groups["text"].Value);
            text = EmphasisUnderscore().Replace(text, m => m.Groups["text"].Value);

            return Restore(text, codeSpans);
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

        private static string ProtectCodeSpansAndEscapes(string markdown, List<string> codeSpans)
        {
            var text = new StringBuilder(markdown.Length);
            int i = 0;
            while (i < markdown.Length)
            {
                char c = markdown[i];
                if (c == '\\' && i + 1 < markdown.Length && AsciiPunctuation.Contains(markdown[i + 1], StringComparison.Ordinal))
                {
                    text.Append((char)(EscapedBase + markdown[i + 1]));
                    i += 2;
                    continue;
                }

                if (c == '`')
                {
                    int run = CountRun(markdown, i, '`');
                    int close = FindClosingRun(markdown, i + run, run);
                    if (close < 0)
                    {
                        // An unmatched run of backticks is literal text, as in CommonMark.
                        text.Append(markdown, i, run);
                        i += run;
                        continue;
                    }

                    string content = markdown[(i + run)..close];
                    if (content.Length >= 2 && content[0] == ' ' && content[^1] == ' ' && content.Trim().Length > 0)
                    {
                        content = content[1..^1];
                    }

                    text.Append(CodeSpanStart).Append(codeSpans.Count.ToString(CultureInfo.InvariantCulture)).Append(CodeSpanEnd);
                    codeSpans.Add(content);
                    i = close + run;
                    continue;
                }

                text.Append(c);
                i++;
            }

            return text.ToString();
        }

        private static int CountRun(string text, int start, char c)
        {
            int end = start;
            while (end < text.Length && text[end] == c)
            {
                end++;
            }

            return end - start;
        }

        private static int FindClosingRun(string text, int from, int length)
        {
            int i = from;
            while (i < text.Length)
            {
                if (text[i] == '`')
                {
                    int run = CountRun(text, i, '`');
                    if (run == length)
                    {
                        return i;
                    }

                    i += run;
                }
                else
                {
                    i++;
                }
            }

            return -1;
        }

        private static string Restore(string text, List<string> codeSpans)
        {
            var result = new StringBuilder(text.Length);
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c == CodeSpanStart)
                {
                    int end = text.IndexOf(CodeSpanEnd, i);
                    result.Append(codeSpans[int.Parse(text.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture)]);
                    i = end + 1;
                    continue;
                }

                result.Append(c >= EscapedBase && c < EscapedBase + 128 ? (char)(c - EscapedBase) : c);
                i++;
            }

            return result.ToString();
        }

        [GeneratedRegex(@"!\[(?<text>[^\]]*)\]\((?<uri>[^)\s]*)(?:\s+""[^""]*"")?\)")]
        private static partial Regex Image();

        [GeneratedRegex(@"\[(?<text>[^\]]*)\]\((?<uri>[^)\s]*)(?:\s+""[^""]*"")?\)")]
        private static partial Regex Link();

        [GeneratedRegex(@"<(?<uri>https?://[^>\s]+)>")]
        private static partial Regex AutoLink();

        [GeneratedRegex(@"\*\*(?=\S)(?<text>.+?)(?<=\S)\*\*")]
        private static partial Regex StrongStars();

        // Underscores inside words (about_K3sNet, __AllParameterSets as part of a name) are not emphasis.
        [GeneratedRegex(@"(?<![\w_])__(?=\S)(?<text>.+?)(?<=\S)__(?![\w_])")]
        private static partial Regex StrongUnderscores();

        [GeneratedRegex(@"(?<![\w*])\*(?=[^\s*])(?<text>[^*]+?)(?<=[^\s*])\*(?![\w*])")]
        private static partial Regex EmphasisStar();

        [GeneratedRegex(@"(?<![\w_])_(?=[^\s_])(?<text>[^_]+?)(?<=[^\s_])_(?![\w_])")]
        private static partial Regex EmphasisUnderscore();

        [GeneratedRegex(@"^(?:[-*+]|\d{1,9}[.)])\s")]
        private static partial Regex ListItem();
    }
}
