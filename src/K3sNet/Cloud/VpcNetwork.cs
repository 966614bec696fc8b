using System.Collections.Generic;

namespace K3sNet.Cloud
{
    /// <summary>A VPC and the CIDR blocks associated with it.</summary>
    internal sealed record VpcNetwork(string VpcId, IReadOnlyList<string> Ipv4Cidrs, IReadOnlyList<string> Ipv6Cidrs);
}
