using System;

namespace K3sNet
{
    /// <summary>
    /// The address families a rule must admit. Dual-stack clusters need every node-to-node rule for IPv6 sources too:
    /// a security group that only admits the IPv4 addresses breaks IPv6 pod traffic (k3s#12538).
    /// </summary>
    [Flags]
    public enum IPFamilies
    {
        None = 0,
        IPv4 = 1,
        IPv6 = 2,
    }
}
