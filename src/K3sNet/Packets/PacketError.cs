namespace K3sNet.Packets
{
    /// <summary>
    /// Why a packet did not decode. A value, not an exception: decoders meet garbage from the network all the time, and
    /// the responder counts these per reason without allocating.
    /// </summary>
    internal enum PacketError
    {
        None,
        TooShortForVxlan,
        VxlanFlagMissing,
        TooShortForEthernet,
        NotIPv4EtherType,
        TooShortForIPv4,
        NotIPv4Version,
        BadIPv4HeaderLength,
        BadIPv4TotalLength,
        BadIPv4Checksum,
        IPv4Fragment,
        UnsupportedProtocol,
        TooShortForIcmp,
        NotIcmpEcho,
        BadIcmpCode,
        BadIcmpChecksum,
        TooShortForUdp,
        BadUdpLength,
        BadUdpChecksum,
    }
}
