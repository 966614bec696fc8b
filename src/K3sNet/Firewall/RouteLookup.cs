using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using K3sNet.Vxlan;

namespace K3sNet.Firewall
{
    /// <summary>The main table's longest-prefix match, as rp_filter's reverse-path lookup sees it (policy rules aside).</summary>
    internal static class RouteLookup
    {
        public static RouteEntry? Find(IReadOnlyList<RouteEntry> routes, IPAddress address)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                return null;
            }

            RouteEntry? best = null;
            int bestLength = -1;
            foreach (RouteEntry route in routes)
            {
                (string network, int length) = route.Destination == "default"
                    ? ("0.0.0.0", 0)
                    : route.Destination.Contains('/')
                        ? (route.Destination[..route.Destination.IndexOf('/')], int.TryParse(route.Destination[(route.Destination.IndexOf('/') + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int l) ? l : -1)
                        : (route.Destination, 32);
                if (length > bestLength && ValuePattern.Prefix(network, length) is ValuePattern prefix && prefix.Matches(address) == true)
                {
                    best = route;
                    bestLength = length;
                }
            }

            return best;
        }
    }
}
