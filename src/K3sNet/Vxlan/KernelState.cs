using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace K3sNet.Vxlan
{
    /// <summary>A snapshot of the local flannel VXLAN device and the entries flannel programmed on it.</summary>
    internal sealed record KernelState(
        FlannelDevice Device,
        int? LowerDeviceMtu,
        IReadOnlyList<NeighbourEntry> Neighbours,
        IReadOnlyList<FdbEntry> Fdb,
        IReadOnlyList<RouteEntry> Routes,
        bool? TxChecksumOffload,
        string? TxChecksumOffloadFailure,
        string? KernelRelease)
    {
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
