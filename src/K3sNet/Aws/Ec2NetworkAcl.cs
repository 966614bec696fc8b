using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>A network ACL: its entries (both directions) and the subnets it guards.</summary>
    internal sealed record Ec2NetworkAcl(string NetworkAclId, string? VpcId, IReadOnlyList<NetworkAclEntry> Entries, IReadOnlyList<string> SubnetIds);

    /// <summary>
    /// One numbered NACL entry. <see cref="Protocol"/> is <c>-1</c> or a number as text (6 tcp, 17 udp); the ports are
    /// null when the entry covers every port.
    /// </summary>
    internal sealed record NetworkAclEntry(
        int RuleNumber,
        string Protocol,
        bool Allow,
        bool Egress,
        string? CidrBlock,
        string? Ipv6CidrBlock,
        int? FromPort,
        int? ToPort);
}
