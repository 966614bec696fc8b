using System.Net;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// One peer to test, as Test-K3sVxlan bound it: from a K3sNode, or from -ComputerName/-VtepAddress alone (then
    /// the annotation facts are null and the checks that need them are skipped).
    /// </summary>
    internal sealed record VxlanPeer(
        string Name,
        IPAddress? UnderlayAddress,
        IPAddress? VtepAddress,
        string? VtepMac,
        string? PodCidr,
        int? Vni,
        bool HostsClusterDns);
}
