namespace K3sNet.Icmp
{
    /// <summary>Which kernel socket carries K3sNet's ICMP echoes.</summary>
    internal enum IcmpSocketKind
    {
        /// <summary>The unprivileged ICMP datagram socket (SOCK_DGRAM, IPPROTO_ICMP), allowed by net.ipv4.ping_group_range.</summary>
        Datagram,

        /// <summary>A raw ICMP socket: needs root or CAP_NET_RAW.</summary>
        Raw,
    }
}
