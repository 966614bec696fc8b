namespace K3sNet.PodNetwork
{
    /// <summary>What one probe in a pod does, with busybox from k3s's own tool directory.</summary>
    internal enum PodProbeKind
    {
        /// <summary>busybox ping: three echoes spaced across the timeout.</summary>
        Ping,

        /// <summary>busybox nslookup of <see cref="ClusterTargets.LookupName"/> at one DNS server.</summary>
        Lookup,

        /// <summary>A TCP connection with busybox wget (any answer, even an HTTP error, is connected).</summary>
        Connect,

        /// <summary>nslookup of a name at the cluster DNS, then a TCP connection to the first address it answered.</summary>
        ResolveAndConnect,
    }

    /// <summary>
    /// One probe of a pod's exec: its id in the output, what it does, the address it goes to (a DNS server for the
    /// lookups), the name looked up and the TCP port.
    /// </summary>
    internal sealed record PodProbe(string Id, PodProbeKind Kind, string Address, string? Name = null, int? Port = null);
}
