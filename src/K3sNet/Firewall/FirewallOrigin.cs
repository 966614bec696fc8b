namespace K3sNet.Firewall
{
    /// <summary>Who wrote the rule that decides a packet's fate, recognised from the ruleset's own shape.</summary>
    internal enum FirewallOrigin
    {
        /// <summary>A hand-written nftables table.</summary>
        Nftables,

        /// <summary>iptables rules (iptables-nft's tables, or iptables-legacy) with no tool's signature.</summary>
        Iptables,

        /// <summary>ufw: its ufw-* chains, or a policy drop in the table that holds them.</summary>
        Ufw,

        /// <summary>firewalld: table inet firewalld.</summary>
        Firewalld,

        /// <summary>Docker: DOCKER*, or the FORWARD policy drop Docker sets beside them.</summary>
        Docker,

        /// <summary>Oracle Cloud's images: REJECT with icmp-host-prohibited in INPUT or FORWARD.</summary>
        OracleCloud,

        /// <summary>k3s, flannel and kube-proxy themselves: never blamed for a path.</summary>
        K3s,
    }
}
