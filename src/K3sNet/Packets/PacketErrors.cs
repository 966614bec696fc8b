namespace K3sNet.Packets
{
    /// <summary>The sentence a person reads for each <see cref="PacketError"/>.</summary>
    internal static class PacketErrors
    {
        public static string Describe(PacketError error) => error switch
        {
            PacketError.None => "The packet is well formed.",
            PacketError.TooShortForVxlan => "Shorter than the 8-byte VXLAN header.",
            PacketError.VxlanFlagMissing => "The VXLAN I flag (valid VNI) is not set.",
            PacketError.TooShortForEthernet => "The inner frame is shorter than an Ethernet II header.",
            PacketError.NotIPv4EtherType => "The inner frame does not carry IPv4 (EtherType 0x0800).",
            PacketError.TooShortForIPv4 => "Shorter than an IPv4 header.",
            PacketError.NotIPv4Version => "The IP version is not 4.",
            PacketError.BadIPv4HeaderLength => "The IPv4 header length is below 20 bytes or beyond the packet.",
            PacketError.BadIPv4TotalLength => "The IPv4 total length disagrees with the bytes received.",
            PacketError.BadIPv4Checksum => "The IPv4 header checksum does not match.",
            PacketError.IPv4Fragment => "The IPv4 packet is a fragment.",
            PacketError.UnsupportedProtocol => "The IPv4 packet carries neither ICMP nor UDP.",
            PacketError.TooShortForIcmp => "Shorter than an ICMP echo header.",
            PacketError.NotIcmpEcho => "The ICMP message is not an echo request or reply.",
            PacketError.BadIcmpCode => "The ICMP echo code is not 0.",
            PacketError.BadIcmpChecksum => "The ICMP checksum does not match.",
            PacketError.TooShortForUdp => "Shorter than a UDP header.",
            PacketError.BadUdpLength => "The UDP length disagrees with the bytes received.",
            PacketError.BadUdpChecksum => "The UDP checksum does not match.",
            _ => error.ToString(),
        };
    }
}
