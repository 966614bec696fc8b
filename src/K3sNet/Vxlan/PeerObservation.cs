using System.Collections.Generic;
using K3sNet.Firewall;

namespace K3sNet.Vxlan
{
    /// <summary>Everything measured about one peer, before a verdict is drawn from it.</summary>
    internal sealed record PeerObservation
    {
        public required VxlanPeer Peer { get; init; }

        public required string SourceName { get; init; }

        public PathState Underlay { get; init; } = PathState.NotTested;

        /// <summary>Why the underlay leg was silent or not tested (both checks' reasons).</summary>
        public string? UnderlayDetail { get; init; }

        public PathState Overlay { get; init; } = PathState.NotTested;

        /// <summary>Why the echo through VXLAN could not be judged, when <see cref="Overlay"/> is NotTested for a known VTEP.</summary>
        public string? OverlayDetail { get; init; }

        /// <summary>Whether a packet of the device's full MTU crossed the overlay with DF; null when not tried.</summary>
        public bool? FullSizePassed { get; init; }

        /// <summary>The local flannel.1's MTU: the size a full-size probe has.</summary>
        public int DeviceMtu { get; init; }

        public int? PathMtu { get; init; }

        public double? RoundTripMs { get; init; }

        /// <summary>
        /// The small echo to the peer's VTEP from the probe namespace on cni0, the pods' way through this node's FORWARD
        /// both ways; NotTested without a probe namespace.
        /// </summary>
        public PathState PodEcho { get; init; } = PathState.NotTested;

        /// <summary>The probe namespace's address, for the reason.</summary>
        public string? PodProbeAddress { get; init; }

        /// <summary>Disagreements between this peer's entries on flannel.1 and its annotations.</summary>
        public IReadOnlyList<string> PeerFindings { get; init; } = [];

        /// <summary>Disagreements on the local device itself; they concern every path from this node.</summary>
        public IReadOnlyList<string> DeviceFindings { get; init; } = [];

        /// <summary>What on this node itself stands in this peer's way: its firewall, ip_forward, rp_filter, cni0.</summary>
        public IReadOnlyList<HostFinding> HostFindings { get; init; } = [];

        /// <summary>tx checksum offload is on and the kernel has the bug; null when unknown.</summary>
        public bool? ChecksumOffloadBugApplies { get; init; }

        public string? KernelRelease { get; init; }

        public string DeviceName { get; init; } = KernelStateReader.FlannelDeviceName;

        public int Port { get; init; } = 8472;

        /// <summary>
        /// Set once every peer has finished, when at least two peers answer on their underlay and none through VXLAN:
        /// how many are silent that way, of how many tested. The common factor is then this node.
        /// </summary>
        public (int Silent, int Tested)? SilentPeers { get; init; }
    }
}
