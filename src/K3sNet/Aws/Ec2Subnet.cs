namespace K3sNet.Aws
{
    /// <summary>A subnet and its IPv4 block: the narrowest range that covers every address a node there may get.</summary>
    internal sealed record Ec2Subnet(string SubnetId, string? VpcId, string? CidrBlock);
}
