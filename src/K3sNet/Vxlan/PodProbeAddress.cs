using System.Collections.Generic;
using System.Globalization;
using System.Net;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Chooses the probe namespace's address in this node's podCIDR (pure). From the top of the range down: the
    /// bridge CNI's host-local IPAM hands addresses out from the bottom up, so the top is the last a pod gets. Any
    /// address something already claims (a neighbour entry with a link-layer address on cni0, an IPAM reservation,
    /// cni0's own) is refused; the caller's ARP check then refuses one that answers.
    /// </summary>
    internal static class PodProbeAddress
    {
        /// <summary>How many addresses from the top are tried before the probe gives up.</summary>
        public const int MaxTried = 16;

        /// <summary>The usable addresses from the top of <paramref name="podCidr"/> down, without <paramref name="taken"/>; empty when it is not an IPv4 CIDR of /30 or larger.</summary>
        public static IEnumerable<IPAddress> Candidates(string podCidr, IReadOnlySet<IPAddress> taken)
        {
            int slash = podCidr.IndexOf('/');
            if (slash < 0
                || !int.TryParse(podCidr[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int length) || length is < 1 or > 30
                || !IPAddress.TryParse(podCidr[..slash], out IPAddress? network) || network.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                yield break;
            }

            byte[] b = network.GetAddressBytes();
            uint mask = uint.MaxValue << (32 - length);
            uint first = (((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3]) & mask;
            uint broadcast = first | ~mask;

            // Never the network, the broadcast, or base + 1 (cni0's gateway).
            int tried = 0;
            for (uint value = broadcast - 1; value > first + 1 && tried < MaxTried; value--, tried++)
            {
                var address = new IPAddress(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
                if (!taken.Contains(address))
                {
                    yield return address;
                }
            }
        }
    }
}
