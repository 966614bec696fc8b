namespace K3sNet.Aws
{
    /// <summary>
    /// One flow Grant-K3sNodeTraffic was asked to admit, as bound: the group to change (or the destination address whose
    /// instance names it), where the traffic comes from, and <paramref name="Target"/>, the input errors about it name.
    /// </summary>
    internal sealed record TrafficRequest(
        string? GroupId, string? DestinationAddress, string? SourceAddress, TrafficProtocol Protocol, int FromPort, int ToPort,
        string? Purpose, string? SuggestedSource, bool ClusterOnly, object Target);
}
