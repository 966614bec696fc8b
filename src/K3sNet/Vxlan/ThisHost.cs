using System.Collections.Generic;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// The facts about this host that <see cref="PeerSelection"/> takes as arguments, read for real: kept here so the
    /// selection rules are tested with addresses and resolvers of the test's choosing.
    /// </summary>
    internal static class ThisHost
    {
        /// <summary>Every unicast address of every interface, loopback included.</summary>
        public static HashSet<IPAddress> Addresses()
        {
            var addresses = new HashSet<IPAddress>();
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    addresses.Add(unicast.Address);
                }
            }

            return addresses;
        }

        /// <summary>The name's IPv4 addresses from the system resolver; a SocketException when it has none.</summary>
        public static Task<IPAddress[]> ResolveIPv4Async(string name, CancellationToken cancellationToken) =>
            Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, cancellationToken);
    }
}
