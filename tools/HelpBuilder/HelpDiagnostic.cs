using System;
using System.Globalization;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// One problem found in a markdown help file. Rendered as <c>path:line: message</c> so that editors and build logs
    /// can jump straight to the offending line.
    /// </summary>
    public sealed class HelpDiagnostic
    {
        public HelpDiagnostic(string path, int line, string message)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(message);
            Path = path;
            Line = line;
            Message = message;
        }

        public string Path { get; }

        /// <summary>1-based line in the source file.</summary>
        public int Line { get; }

        public string Message { get; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Path}:{Line}: {Message}");
    }
}
