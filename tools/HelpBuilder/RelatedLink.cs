namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// One RELATED LINKS entry. <see cref="Uri"/> is empty for links to other help pages (<c>about_K3sNet.md</c>): Get-Help
    /// names them and the reader runs <c>Get-Help</c> on the name; only web addresses are worth a uri, because
    /// <c>Get-Help -Online</c> opens the first one it finds.
    /// </summary>
    public sealed record RelatedLink(string Text, string Uri);
}
