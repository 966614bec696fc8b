namespace K3sNet.HelpBuilder
{
    /// <summary>The only block structures PlatyPS pages use; everything else (lists, tables, quotes) is read as paragraph text.</summary>
    public enum MarkdownBlockKind
    {
        Heading,
        Paragraph,
        CodeBlock,
    }
}
