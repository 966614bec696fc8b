using K3sNet.Packets;

namespace K3sNet.Probing
{
    /// <summary>
    /// The inner addresses a probe frame carries. The responder never routes them, it swaps them; they name the path
    /// (the local and the peer's underlay addresses) so a capture on either node reads sensibly. The MACs are derived
    /// from the IPv4 addresses, so every bit of a probe is checked by something and no corrupted probe is answered.
    /// </summary>
    internal readonly record struct ProbeEndpoints(
        EthernetAddress SourceMac,
        EthernetAddress DestinationMac,
        uint SourceAddress,
        uint DestinationAddress,
        ushort SourcePort,
        ushort DestinationPort)
    {
        public static ProbeEndpoints For(uint sourceAddress, uint destinationAddress, ushort sourcePort, ushort destinationPort) =>
            new(MacFor(sourceAddress), MacFor(destinationAddress), sourceAddress, destinationAddress, sourcePort, destinationPort);

        /// <summary>The MAC a probe gives an inner IPv4 address: locally administered, the address in its last four bytes.</summary>
        public static EthernetAddress MacFor(uint address) => EthernetAddress.LocallyAdministered(address);
    }
}
