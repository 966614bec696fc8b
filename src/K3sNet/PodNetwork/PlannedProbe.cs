namespace K3sNet.PodNetwork
{
    /// <summary>One probe of one source pod and what it stands for: the check, and the node, CoreDNS pod or egress name it tries.</summary>
    internal sealed record PlannedProbe(
        PodProbe Probe,
        PodNetworkCheck Check,
        string Destination,
        ClusterProbes.ProbeNode? DestinationNode = null,
        CoreDnsEndpoint? CoreDns = null,
        EgressTarget? Egress = null);
}
