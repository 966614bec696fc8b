namespace K3sNet.Vxlan
{
    /// <summary>The local flannel.1 as `ip -d link` shows it.</summary>
    internal sealed record FlannelDevice(
        string Name,
        string? Mac,
        int Mtu,
        int? Vni,
        int? Port,
        string? LocalAddress,
        string? LowerDevice,
        bool Learning);
}
