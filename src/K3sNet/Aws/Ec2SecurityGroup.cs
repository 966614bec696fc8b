using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>A security group and its ingress rules, one rule per source.</summary>
    internal sealed record Ec2SecurityGroup(string GroupId, string GroupName, string? VpcId, IReadOnlyList<SecurityGroupRule> Ingress);
}
