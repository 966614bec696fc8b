namespace K3sNet
{
    /// <summary>What is wrong, if anything, with the VXLAN path from one node to another.</summary>
    public enum VxlanVerdict
    {
        /// <summary>Encapsulated traffic reaches the peer and full-size packets pass.</summary>
        Healthy,

        /// <summary>The peer answers on its underlay address but not through VXLAN: UDP 8472 is dropped on the way.</summary>
        VxlanBlocked,

        /// <summary>The peer answers neither through VXLAN nor on its underlay address.</summary>
        NodeUnreachable,

        /// <summary>Small packets pass through VXLAN, full-size ones do not.</summary>
        MtuBlackhole,

        /// <summary>The local flannel.1 has the tx checksum offload known to corrupt VXLAN checksums on affected kernels.</summary>
        ChecksumOffload,

        /// <summary>
        /// Annotations, fdb, neighbour or route entries disagree; or this node's ip_forward, rp_filter or cni0 breaks the path.
        /// </summary>
        Misconfigured,

        /// <summary>The path was not tested; the reason says why.</summary>
        NotTested,

        /// <summary>
        /// This node's own firewall (its nftables or iptables rules: ufw, firewalld, Docker, Oracle Cloud's image, or
        /// hand-written) drops or rejects the peer's VXLAN or the pods' forwarded traffic; the reason names the table,
        /// chain and rule, the remedy the command that lets it through. No security-group change helps.
        /// Last, so the numbers of the verdicts before it (results saved as JSON without -EnumsAsStrings) keep their meaning.
        /// </summary>
        HostFirewall,
    }
}
