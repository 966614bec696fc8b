namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// How short the emulator's pages are. EC2 may return fewer items than MaxResults asks for, even none, with a
    /// NextToken: a client that stops at a short or empty page loses data. <see cref="PageLimit"/> caps every page;
    /// <see cref="EmptyFirstPage"/> answers the first call of a listing with no items and a token.
    /// </summary>
    public sealed record Ec2Paging(int? PageLimit = null, bool EmptyFirstPage = false)
    {
        /// <summary>Full pages: as many items as MaxResults allows (all of them without MaxResults).</summary>
        public static readonly Ec2Paging Full = new();
    }
}
