namespace K3sNet.Probing
{
    /// <summary>
    /// What checking a received frame against the K3sNet probe format found. Every value but <see cref="Valid"/> is a
    /// reason the responder drops the datagram, and it counts them by this value.
    /// </summary>
    internal enum ProbeCheck
    {
        /// <summary>A well-formed K3sNet probe.</summary>
        Valid,

        /// <summary>Not an RFC 7348 VXLAN packet: shorter than its header, or the I flag is not set.</summary>
        NotVxlan,

        /// <summary>VXLAN flags other than I, or reserved bits, are set; K3sNet probes set none.</summary>
        ReservedBitsSet,

        /// <summary>The VNI is not the one the responder serves.</summary>
        WrongVni,

        /// <summary>The inner Ethernet, IPv4, ICMP or UDP packet is malformed: a length, a checksum or a type is wrong.</summary>
        MalformedInnerPacket,

        /// <summary>
        /// The inner IPv4 header sets the reserved flag, which RFC 791 requires to be zero. K3sNet never sets it, so the
        /// packet was not built by K3sNet, and a host does not answer a packet that breaks the IPv4 rules.
        /// </summary>
        InnerIPv4ReservedFlagSet,

        /// <summary>The inner payload does not start with the K3sNet probe magic.</summary>
        NotAProbe,

        /// <summary>A K3sNet probe of a version this build does not know.</summary>
        UnsupportedVersion,

        /// <summary>A probe travelling the wrong way: a reply sent to a responder, or a request where a reply was expected.</summary>
        WrongKind,

        /// <summary>A K3sNet probe with trailing bytes, IPv4 options, no DF, a missing UDP checksum, MACs that do not match its addresses, or non-zero reserved or padding bytes.</summary>
        MalformedProbe,

        /// <summary>The source sent more probes than the responder's rate limit allows.</summary>
        RateLimited,
    }
}
