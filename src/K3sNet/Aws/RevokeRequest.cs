namespace K3sNet.Aws
{
    /// <summary>
    /// One thing Revoke-K3sNodeTraffic was asked to remove from a group: without a protocol, every rule K3sNet added; with
    /// one, the rules for it (all its ports when <paramref name="FromPort"/> is null).
    /// </summary>
    internal sealed record RevokeRequest(string GroupId, TrafficProtocol? Protocol, int? FromPort, int? ToPort);
}
