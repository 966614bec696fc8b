using System.Globalization;

namespace K3sNet
{
    /// <summary>
    /// One inbound rule a k3s cluster needs between its nodes: a row of the k3s "Inbound Rules for K3s Nodes" table.
    /// The traffic properties (Protocol, FromPort, ToPort) carry the same names on every K3sNet type, so a requirement
    /// pipes into the cmdlets that check or open security groups.
    /// </summary>
    public sealed class PortRequirement
    {
        internal PortRequirement(
            TrafficProtocol protocol,
            int fromPort,
            int toPort,
            NodeScope source,
            NodeScope destination,
            string purpose,
            string condition,
            bool clusterOnly,
            IPFamilies ipFamily)
        {
            Protocol = protocol;
            FromPort = fromPort;
            ToPort = toPort;
            Source = source;
            Destination = destination;
            Purpose = purpose;
            Condition = condition;
            ClusterOnly = clusterOnly;
            IPFamily = ipFamily;
        }

        public TrafficProtocol Protocol { get; }

        public int FromPort { get; }

        public int ToPort { get; }

        /// <summary>The nodes the traffic comes from.</summary>
        public NodeScope Source { get; }

        /// <summary>The nodes that must admit the traffic.</summary>
        public NodeScope Destination { get; }

        /// <summary>What the traffic carries.</summary>
        public string Purpose { get; }

        /// <summary>When the cluster needs this rule.</summary>
        public string Condition { get; }

        /// <summary>True when the port must never be reachable from outside the cluster (never 0.0.0.0/0 or ::/0).</summary>
        public bool ClusterOnly { get; }

        /// <summary>The source address families the rule must admit.</summary>
        public IPFamilies IPFamily { get; }

        /// <summary>The port or range as the k3s docs print it: <c>8472</c>, <c>2379-2380</c>, or <c>all</c>.</summary>
        public string Port => Protocol == TrafficProtocol.All
            ? "all"
            : FromPort == ToPort
                ? FromPort.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{FromPort}-{ToPort}");

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Protocol.ToString().ToLowerInvariant()}/{Port} {Source}->{Destination}");
    }
}
