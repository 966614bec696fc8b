using System;
using System.Collections.Generic;
using System.Management.Automation.Host;
using System.Text;

namespace K3sNet
{
    /// <summary>
    /// Lays out the text of the module's format views for the terminal they are shown in. A table's last column gets
    /// whatever width is left, and the values that matter there (a fix, a description, a reason) must show whole: cut
    /// with "…" they lose the part a person acts on, and left to PowerShell's &lt;Wrap/&gt; they break mid-word whenever
    /// the culture is not English (LANG=C, the usual culture on a server or in a container, is the invariant culture,
    /// which PowerShell wraps character by character). So the views wrap that text themselves, at spaces and after
    /// commas, to the width the host reports, as PowerShell's own error view does.
    /// </summary>
    public static class ViewText
    {
        /// <summary>The width to lay out for when the host has no console (a remote or hosted runspace): PowerShell's own default for Out-String.</summary>
        public const int DefaultWidth = 120;

        /// <summary>The columns of the host's console, or <see cref="DefaultWidth"/> when it has none.</summary>
        public static int HostWidth(PSHost? host)
        {
            try
            {
                int width = host?.UI?.RawUI?.BufferSize.Width ?? 0;
                return width > 0 ? width : DefaultWidth;
            }
            catch (Exception e) when (e is NotSupportedException or NotImplementedException or PlatformNotSupportedException or InvalidOperationException or System.IO.IOException)
            {
                return DefaultWidth; // A host without a console throws instead of answering.
            }
        }

        /// <summary>
        /// The text of a table's last column, in lines that fit the width left after <paramref name="used"/> columns
        /// (the fixed columns before it and the space after each) and the line's last column, which PowerShell leaves
        /// empty; never narrower than <paramref name="minimum"/>.
        /// </summary>
        public static string LastColumn(PSHost? host, string? text, int used, int minimum) =>
            Wrap(text, Math.Max(minimum, HostWidth(host) - used - 1));

        /// <summary>
        /// Text in lines of at most <paramref name="width"/> characters, broken at spaces (dropped) and after commas
        /// (kept); a word longer than a line is cut only because nothing else fits. Line breaks in the text are kept.
        /// </summary>
        public static string Wrap(string? text, int width)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }

            width = Math.Max(1, width);
            var lines = new List<string>();
            foreach (string paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
            {
                WrapParagraph(paragraph, width, lines);
            }

            return string.Join("\n", lines);
        }

        private static void WrapParagraph(string paragraph, int width, List<string> lines)
        {
            var line = new StringBuilder();
            foreach (string word in Words(paragraph))
            {
                // A word carries its separator: a trailing space (dropped at a line end) or a trailing comma (kept).
                string bare = word.TrimEnd(' ');
                if (line.Length > 0 && line.Length + bare.Length > width)
                {
                    lines.Add(line.ToString().TrimEnd());
                    line.Clear();
                }

                string rest = word;
                while (rest.TrimEnd(' ').Length > width)
                {
                    lines.Add(rest[..width]);
                    rest = rest[width..];
                }

                line.Append(rest);
            }

            lines.Add(line.ToString().TrimEnd());
        }

        /// <summary>The paragraph split after each space and each comma, so the pieces join back into it.</summary>
        private static IEnumerable<string> Words(string paragraph)
        {
            int start = 0;
            for (int i = 0; i < paragraph.Length; i++)
            {
                bool spaceEnds = paragraph[i] == ' ' && (i + 1 == paragraph.Length || paragraph[i + 1] != ' ');
                bool commaEnds = paragraph[i] == ',' && (i + 1 == paragraph.Length || paragraph[i + 1] != ' ');
                if (spaceEnds || commaEnds)
                {
                    yield return paragraph[start..(i + 1)];
                    start = i + 1;
                }
            }

            if (start < paragraph.Length)
            {
                yield return paragraph[start..];
            }
        }
    }
}
