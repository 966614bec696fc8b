using System.Globalization;
using System.Net;

namespace K3sNet.Firewall
{
    /// <summary>
    /// The packets this node must let through for one peer: the peer's VXLAN (the echo reply comes back as a new
    /// datagram to this node's UDP port) and pod traffic forwarded both ways between cni0 and flannel.1. Pod traffic is
    /// represented by a DNS query (UDP 53) from a pod here to a pod there, the lookup that fails first in the field.
    /// </summary>
    internal static class HostPacketClasses
    {
        public const string Bridge = "cni0";

        public const int PodProbePort = 53;

        public static PacketClass VxlanIn(string underlayDevice, IPAddress peerUnderlay, IPAddress localUnderlay, string peerName, int port) =>
            new(FirewallHook.Input, underlayDevice, null, peerUnderlay, localUnderlay, "udp", port,
                $"UDP {port.ToString(CultureInfo.InvariantCulture)} from {peerName} ({peerUnderlay}) on {underlayDevice}");

        /// <summary>A pod here to a pod on the peer: cni0 → flannel.1.</summary>
        public static PacketClass PodsOut(IPAddress localPod, IPAddress peerPod, string peerName, string vxlanDevice) =>
            new(FirewallHook.Forward, Bridge, vxlanDevice, localPod, peerPod, "udp", PodProbePort,
                $"pod traffic from {Bridge} to {vxlanDevice} ({localPod} to {peerName}'s pod {peerPod})");

        /// <summary>A pod on the peer to a pod here: flannel.1 → cni0.</summary>
        public static PacketClass PodsIn(IPAddress peerPod, IPAddress localPod, string peerName, string vxlanDevice) =>
            new(FirewallHook.Forward, vxlanDevice, Bridge, peerPod, localPod, "udp", PodProbePort,
                $"pod traffic from {vxlanDevice} to {Bridge} ({peerName}'s pod {peerPod} to {localPod})");

        /// <summary>A pod address in a pod CIDR: the base + 2 (cni0 holds base + 1), or null when the CIDR is not IPv4.</summary>
        public static IPAddress? PodAddress(string? podCidr, int offset = 2)
        {
            if (podCidr is null)
            {
                return null;
            }

            int slash = podCidr.IndexOf('/');
            if (!IPAddress.TryParse(slash < 0 ? podCidr : podCidr[..slash], out IPAddress? network) || network.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return null;
            }

            byte[] b = network.GetAddressBytes();
            uint value = (((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3]) + (uint)offset;
            return new IPAddress(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
        }

        /// <summary>The network of an interface address: "10.42.0.1/24" → "10.42.0.0/24"; null when it is not IPv4 with a prefix.</summary>
        public static string? NetworkOf(string addressWithPrefix)
        {
            int slash = addressWithPrefix.IndexOf('/');
            if (slash < 0 || !int.TryParse(addressWithPrefix[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int length) || length is < 0 or > 32
                || PodAddress(addressWithPrefix[..slash], 0) is not IPAddress address)
            {
                return null;
            }

            byte[] b = address.GetAddressBytes();
            uint value = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
            value &= length == 0 ? 0u : uint.MaxValue << (32 - length);
            return $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}/{length.ToString(CultureInfo.InvariantCulture)}";
        }

        /// <summary>The cluster CIDR k3s's layout implies (a /24 per node out of a /16): 10.42.1.0/24 → 10.42.0.0/16.</summary>
        public static string ClusterCidr(string? podCidr)
        {
            IPAddress? a = PodAddress(podCidr, 0);
            if (a is null)
            {
                return "10.42.0.0/16";
            }

            byte[] b = a.GetAddressBytes();
            return $"{b[0]}.{b[1]}.0.0/16";
        }
    }
}
