using System;
using System.Collections.Generic;

namespace K3sNet.HelpBuilder
{
    /// <summary>A markdown file reduced to its YAML front matter and a flat list of blocks, the level PlatyPS pages are written at.</summary>
    public sealed class MarkdownDocument
    {
        public MarkdownDocument(string path, IReadOnlyDictionary<string, string> frontMatter, IReadOnlyList<MarkdownBlock> blocks)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(frontMatter);
            ArgumentNullException.ThrowIfNull(blocks);
            Path = path;
            FrontMatter = frontMatter;
            Blocks = blocks;
        }

        /// <summary>The path the diagnostics name: the file as it was given, not normalised, so messages match what the user typed.</summary>
        public string Path { get; }

        /// <summary>Keys as written (<c>external help file</c>, <c>online version</c>), compared case-insensitively.</summary>
        public IReadOnlyDictionary<string, string> FrontMatter { get; }

        public IReadOnlyList<MarkdownBlock> Blocks { get; }

        /// <summary>The file name without <c>.md</c>: what the H1 of the page must say.</summary>
        public string FileStem => System.IO.Path.GetFileNameWithoutExtension(Path);

        /// <summary>PlatyPS writes <c>external help file</c> only on cmdlet pages; about topics and other pages never have it.</summary>
        public bool IsCommandPage => FrontMatter.ContainsKey("external help file");
    }
}
