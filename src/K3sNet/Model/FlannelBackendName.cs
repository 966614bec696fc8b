using System;

namespace K3sNet
{
    /// <summary>
    /// Reads a flannel backend as people and nodes write it: k3s's flag spelling (<c>host-gw</c>,
    /// <c>wireguard-native</c>), flannel's <c>backend-type</c> annotation (<c>wireguard</c>, which wireguard-native
    /// writes; the legacy backend k3s removed in v1.26 used the same ports), or the enum name, in any case.
    /// </summary>
    internal static class FlannelBackendName
    {
        public static bool TryParse(string? text, out FlannelBackend backend)
        {
            switch (text?.Trim().ToLowerInvariant())
            {
                case "vxlan":
                    backend = FlannelBackend.Vxlan;
                    return true;
                case "host-gw":
                case "hostgw":
                    backend = FlannelBackend.HostGw;
                    return true;
                case "wireguard-native":
                case "wireguardnative":
                case "wireguard":
                    backend = FlannelBackend.WireguardNative;
                    return true;
                case "none":
                    backend = FlannelBackend.None;
                    return true;
                default:
                    backend = default;
                    return false;
            }
        }

        /// <summary>The spelling k3s uses on its command line and in its docs.</summary>
        public static string ToK3sName(this FlannelBackend backend) => backend switch
        {
            FlannelBackend.Vxlan => "vxlan",
            FlannelBackend.HostGw => "host-gw",
            FlannelBackend.WireguardNative => "wireguard-native",
            FlannelBackend.None => "none",
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
        };
    }
}
