namespace K3sNet.Probing
{
    /// <summary>What the inner IPv4 packet of a probe frame carries: an ICMP echo, as a ping through flannel would, or UDP.</summary>
    internal enum ProbeTransport
    {
        IcmpEcho,
        Udp,
    }
}
