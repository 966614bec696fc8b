namespace K3sNet.Aws
{
    /// <summary>
    /// One thing Revoke-K3sNodeTraffic was asked to remove from a group: without a protocol, every rule K3sNet added; with
    /// one, the rules for it (all its ports when <paramref name="FromPort"/> is null).
    /// </summary>
    internal sealed record RevokeRequest(string GroupId, TrafficProtocol? Protocol, int? FromPort, int? ToPort)
    {
        /// <summary>
        /// Whether the request names no port, so it means every matching rule of the group (or of the protocol). "All"
        /// traffic has no ports: that request means the one all-traffic rule, not every rule.
        /// </summary>
        public bool NamesNoPort => FromPort is null && Protocol != TrafficProtocol.All;
    }
}
