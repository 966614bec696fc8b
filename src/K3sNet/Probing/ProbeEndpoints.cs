using K3sNet.Packets;

namespace K3sNet.Probing
{
    /// <summary>
    /// The inner addresses a probe frame carries. The responder never routes them, it swaps them; they name the path
    /// (the local and the peer's addresses) so a capture on either node reads sensibly.
    /// </summary>
    internal readonly record struct ProbeEndpoints(
        EthernetAddress SourceMac,
        EthernetAddress DestinationMac,
        uint SourceAddress,
        uint DestinationAddress,
        ushort SourcePort,
        ushort DestinationPort);
}
