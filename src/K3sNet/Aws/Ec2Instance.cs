using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>An EC2 instance as K3sNet needs it: where it sits, its addresses, and the groups on its primary interface.</summary>
    internal sealed record Ec2Instance(
        string InstanceId,
        string? State,
        string? VpcId,
        string? SubnetId,
        string? PrivateIpAddress,
        string? PublicIpAddress,
        IReadOnlyList<string> PrivateIpAddresses,
        IReadOnlyList<string> Ipv6Addresses,
        IReadOnlyList<string> GroupIds);
}
