using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// A snapshot of a node's flannel VXLAN device and the entries flannel programmed on it. An entry list that could
    /// not be read (no `bridge` on a node whose tools are k3s's own, an error through the probe pod) is empty with why in
    /// its *Unread field: the checks skip it rather than report its entries missing.
    /// </summary>
    internal sealed record KernelState(
        FlannelDevice Device,
        int? LowerDeviceMtu,
        IReadOnlyList<NeighbourEntry> Neighbours,
        IReadOnlyList<FdbEntry> Fdb,
        IReadOnlyList<RouteEntry> Routes,
        bool? TxChecksumOffload,
        string? TxChecksumOffloadFailure,
        string? KernelRelease,
        string? NeighboursUnread = null,
        string? FdbUnread = null,
        string? RoutesUnread = null)
    {
        /// <summary>One sentence per entry list that was not read, for the tester's notes.</summary>
        public IReadOnlyList<string> Unread =>
            new[] { ("neighbour", NeighboursUnread), ("fdb", FdbUnread), ("route", RoutesUnread) }
                .Where(u => u.Item2 is not null)
                .Select(u => $"{Device.Name}'s {u.Item1} entries were not read ({u.Item2}), so they are not checked.")
                .ToArray();

        /// <summary>
        /// Fills in what -ComputerName or -VtepAddress alone leave out, from the entries flannel programmed: a VTEP
        /// address resolves to a MAC (neighbour), the MAC to an underlay address (fdb), and back.
        /// </summary>
        public VxlanPeer Complete(VxlanPeer peer)
        {
            if (peer.VtepAddress is not null && peer.UnderlayAddress is null)
            {
                string? mac = Neighbours.FirstOrDefault(n => n.Address == peer.VtepAddress.ToString())?.LinkLayerAddress;
                string? underlay = Fdb.FirstOrDefault(f => f.Mac == mac && f.Destination is not null)?.Destination;
                if (underlay is not null && IPAddress.TryParse(underlay, out IPAddress? address))
                {
                    return peer with { UnderlayAddress = address };
                }
            }
            else if (peer.UnderlayAddress is not null && peer.VtepAddress is null)
            {
                string? mac = Fdb.FirstOrDefault(f => f.Destination == peer.UnderlayAddress.ToString())?.Mac;
                string? vtep = Neighbours.FirstOrDefault(n => mac is not null && n.LinkLayerAddress == mac)?.Address;
                if (vtep is not null && IPAddress.TryParse(vtep, out IPAddress? address))
                {
                    return peer with { VtepAddress = address };
                }
            }

            return peer;
        }
    }
}
