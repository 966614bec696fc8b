namespace K3sNet
{
    /// <summary>The flannel backends k3s supports (<c>--flannel-backend</c>).</summary>
    public enum FlannelBackend
    {
        /// <summary><c>vxlan</c>, the default: UDP 8472 between all nodes.</summary>
        Vxlan,

        /// <summary><c>host-gw</c>: routed pod traffic; one subnet, and on AWS the source/destination check off.</summary>
        HostGw,

        /// <summary><c>wireguard-native</c>: UDP 51820 (IPv4) and 51821 (IPv6).</summary>
        WireguardNative,

        /// <summary><c>none</c>: no flannel; another CNI carries pod traffic.</summary>
        None,
    }
}
