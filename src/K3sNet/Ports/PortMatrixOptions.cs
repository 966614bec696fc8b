namespace K3sNet.Ports
{
    /// <summary>What a cluster runs, as far as its inbound rules depend on it.</summary>
    internal sealed record PortMatrixOptions
    {
        public FlannelBackend FlannelBackend { get; init; } = FlannelBackend.Vxlan;

        /// <summary>HA servers with embedded etcd (<c>--cluster-init</c>).</summary>
        public bool EmbeddedEtcd { get; init; }

        /// <summary>The embedded distributed registry, Spegel (<c>--embedded-registry</c>).</summary>
        public bool EmbeddedRegistry { get; init; }

        /// <summary>Dual-stack: every node-to-node rule must admit IPv6 sources too.</summary>
        public bool IPv6 { get; init; }

        /// <summary>When set, only the rules that nodes of this role must admit.</summary>
        public K3sRole? Role { get; init; }
    }
}
