using System;

namespace K3sNet.Firewall
{
    /// <summary>
    /// What a packet class says about each key a rule can match on. Keys that a new IPv4 flow settles (its addresses,
    /// interfaces, protocol, port, conntrack state "new", mark 0) have values; headers it does not carry are
    /// <see cref="FirewallValues.Absent"/>; everything else is <see cref="FirewallValues.Unknown"/>.
    /// </summary>
    internal static class PacketFields
    {
        private static readonly string[] Layer4 = { "tcp", "udp", "icmp", "sctp", "dccp", "udplite", "icmpv6", "ah", "esp", "comp", "igmp" };

        public static Func<PacketClass, WalkState, object> Meta(string key) => key switch
        {
            "iifname" or "iif" => (p, _) => p.InInterface,
            // A packet on the input hook has no output interface: oifname compares as the empty name.
            "oifname" or "oif" => (p, _) => p.OutInterface ?? string.Empty,
            "l4proto" => (p, _) => p.Protocol,
            "nfproto" => (_, _) => "ipv4",
            "protocol" => (_, _) => "ip",
            "mark" => (_, s) => s.Mark is long m ? m : FirewallValues.Unknown,
            "pkttype" => (_, _) => "host",
            _ => (_, _) => FirewallValues.Unknown,
        };

        public static Func<PacketClass, WalkState, object> Payload(string protocol, string field)
        {
            switch (protocol)
            {
                case "ip":
                    return field switch
                    {
                        "saddr" => (p, _) => p.Source,
                        "daddr" => (p, _) => p.Destination,
                        "protocol" => (p, _) => p.Protocol,
                        _ => (_, _) => FirewallValues.Unknown,
                    };
                case "ip6" or "arp":
                    return (_, _) => FirewallValues.Absent;
                case "th":
                    return (p, _) => p.Protocol is "udp" or "tcp" ? Port(p, field) : FirewallValues.Absent;
                default:
                    if (Array.IndexOf(Layer4, protocol) < 0)
                    {
                        return (_, _) => FirewallValues.Unknown;
                    }

                    return (p, _) => p.Protocol != protocol
                        ? FirewallValues.Absent
                        : protocol is "udp" or "tcp" ? Port(p, field) : FirewallValues.Unknown;
            }
        }

        public static Func<PacketClass, WalkState, object> Conntrack(string key) => key switch
        {
            "state" => (_, _) => PacketClass.ConntrackState,
            // A new flow has no status bits yet: not DNATed, not SNATed, not confirmed.
            "status" => (_, _) => "none",
            "direction" => (_, _) => "original",
            _ => (_, _) => FirewallValues.Unknown,
        };

        /// <summary>
        /// The destination port, or for the source port the kernel's ephemeral range: VXLAN picks its source port by
        /// flow hash from it (flannel sets no port range), and pods' sockets bind in it. A rule on a port below it
        /// (ufw's "udp sport 67", Oracle's "udp sport 123") then cannot match; one inside it stays unknown.
        /// </summary>
        private static object Port(PacketClass packet, string field) => field switch
        {
            "dport" => (long)packet.DestinationPort,
            "sport" => EphemeralPorts.Default,
            _ => FirewallValues.Unknown,
        };

        /// <summary>fib daddr type: the packet is for this host on the input hook, and for another host when forwarded.</summary>
        public static object FibDaddrType(PacketClass packet, WalkState state) => packet.Hook == FirewallHook.Input ? "local" : "unicast";
    }

    /// <summary>A port known only to lie in a range (Linux's default ip_local_port_range).</summary>
    internal sealed record EphemeralPorts(long Low, long High)
    {
        public static readonly EphemeralPorts Default = new(32768, 60999);

        public bool? Matches(long low, long high) => high < Low || low > High ? false : null;
    }
}
