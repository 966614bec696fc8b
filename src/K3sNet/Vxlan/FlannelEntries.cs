namespace K3sNet.Vxlan
{
    /// <summary>A neighbour entry on flannel.1: which MAC a peer's VTEP address resolves to.</summary>
    internal sealed record NeighbourEntry(string Address, string? LinkLayerAddress, string? State);

    /// <summary>A forwarding-database entry on flannel.1: to which underlay address frames for a MAC are encapsulated.</summary>
    internal sealed record FdbEntry(string Mac, string? Destination, bool Self, bool Permanent);

    /// <summary>A route through flannel.1: a peer's pod subnet via its VTEP address.</summary>
    internal sealed record RouteEntry(string Destination, string? Gateway, string? Device, bool OnLink);
}
