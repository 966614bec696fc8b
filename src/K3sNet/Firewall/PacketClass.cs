using System.Net;

namespace K3sNet.Firewall
{
    /// <summary>The netfilter hooks a VXLAN or pod packet meets on its way into or through this node.</summary>
    internal enum FirewallHook
    {
        Input,
        Forward,
    }

    /// <summary>
    /// One kind of packet the node must let through, as the ruleset judge sees it: a new flow (conntrack state new,
    /// no mark), since the VXLAN reply from a peer and a pod's first packet are both new to this node's conntrack.
    /// </summary>
    /// <param name="Protocol">"udp", "tcp" or "icmp".</param>
    /// <param name="Description">What the packet is, for a reason: "UDP 8472 from node-b (10.0.1.11)".</param>
    internal sealed record PacketClass(
        FirewallHook Hook,
        string InInterface,
        string? OutInterface,
        IPAddress Source,
        IPAddress Destination,
        string Protocol,
        int DestinationPort,
        string Description)
    {
        /// <summary>The conntrack state of every packet class the judge asks about.</summary>
        public const string ConntrackState = "new";
    }
}
