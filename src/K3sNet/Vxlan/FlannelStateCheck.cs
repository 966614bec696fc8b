using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Packets;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Compares the local flannel.1 and the entries on it with what the nodes' annotations say flannel should have
    /// programmed (reference §2): one sentence per disagreement, naming the entry, so a reason can quote it.
    /// </summary>
    internal static class FlannelStateCheck
    {
        /// <summary>The local device against the local node's own annotations and NIC.</summary>
        public static IReadOnlyList<string> CheckDevice(KernelState state, VxlanPeer? localNode, int expectedPort)
        {
            var findings = new List<string>();
            FlannelDevice device = state.Device;
            string who = localNode?.Name ?? "this node";
            if (localNode?.Vni is int vni && device.Vni != vni)
            {
                findings.Add($"{device.Name} has VNI {device.Vni}, but {who}'s backend-data says VNI {vni}.");
            }

            if (device.Port is int port && port != expectedPort)
            {
                findings.Add($"{device.Name} sends VXLAN to UDP port {port}, not {expectedPort}.");
            }

            if (localNode?.UnderlayAddress is not null && device.LocalAddress != localNode.UnderlayAddress.ToString())
            {
                findings.Add($"{device.Name} sends from local address {device.LocalAddress ?? "(none)"}, but {who}'s public-ip is {localNode.UnderlayAddress}.");
            }

            if (localNode?.VtepMac is string mac && !string.Equals(device.Mac, mac, StringComparison.OrdinalIgnoreCase))
            {
                findings.Add($"{device.Name} has MAC {device.Mac}, but {who}'s backend-data says VtepMAC {mac.ToLowerInvariant()}: peers send {who}'s traffic to a MAC it does not have.");
            }

            if (state.LowerDeviceMtu is int nicMtu && device.Mtu != nicMtu - VxlanFrame.EncapsulationOverhead)
            {
                findings.Add($"{device.Name} has MTU {device.Mtu}, but {device.LowerDevice} has MTU {nicMtu}: flannel sets {nicMtu - VxlanFrame.EncapsulationOverhead} (NIC MTU - 50 bytes of VXLAN overhead).");
            }

            return findings;
        }

        /// <summary>
        /// The neighbour, fdb and route entries for one peer against that peer's annotations; an entry list that was not
        /// read (<see cref="KernelState.Unread"/>) gives no finding: its entries are unknown, not missing.
        /// </summary>
        public static IReadOnlyList<string> CheckPeer(KernelState state, VxlanPeer peer)
        {
            var findings = new List<string>();
            string device = state.Device.Name;
            string? vtep = peer.VtepAddress?.ToString();
            string? mac = peer.VtepMac?.ToLowerInvariant();
            string? publicIp = peer.UnderlayAddress?.ToString();

            if (vtep is not null && mac is not null && state.NeighboursUnread is null)
            {
                NeighbourEntry? neighbour = state.Neighbours.FirstOrDefault(n => n.Address == vtep);
                if (neighbour is null)
                {
                    findings.Add($"{device} has no neighbour entry for {vtep} ({peer.Name}'s VTEP); flannel programs '{vtep} lladdr {mac}'.");
                }
                else if (neighbour.LinkLayerAddress != mac)
                {
                    findings.Add($"{device}'s neighbour entry '{vtep} lladdr {neighbour.LinkLayerAddress ?? "(none)"}' does not match {peer.Name}'s VtepMAC {mac}.");
                }
            }

            if (mac is not null && publicIp is not null && state.FdbUnread is null)
            {
                FdbEntry? fdb = state.Fdb.FirstOrDefault(f => f.Mac == mac && f.Destination is not null);
                if (fdb is null)
                {
                    findings.Add($"{device} has no fdb entry for {mac} ({peer.Name}'s VtepMAC); flannel programs '{mac} dst {publicIp}'.");
                }
                else if (fdb.Destination != publicIp)
                {
                    findings.Add($"{device}'s fdb entry '{mac} dst {fdb.Destination}' is stale: {peer.Name}'s public-ip is {publicIp}, so its VXLAN packets go to the wrong address.");
                }
            }

            if (peer.PodCidr is string podCidr && vtep is not null && state.RoutesUnread is null)
            {
                RouteEntry? route = state.Routes.FirstOrDefault(r => r.Destination == podCidr);
                if (route is null)
                {
                    findings.Add($"There is no route to {podCidr} ({peer.Name}'s pods) on {device}; flannel programs '{podCidr} via {vtep} dev {device} onlink'.");
                }
                else if (route.Gateway != vtep || !route.OnLink)
                {
                    findings.Add($"The route '{podCidr} via {route.Gateway ?? "(none)"} dev {route.Device ?? device}{(route.OnLink ? " onlink" : string.Empty)}' does not match flannel's '{podCidr} via {vtep} dev {device} onlink'.");
                }
            }

            return findings;
        }
    }
}
