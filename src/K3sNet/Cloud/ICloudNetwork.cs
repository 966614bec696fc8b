using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;

namespace K3sNet.Cloud
{
    /// <summary>
    /// The EC2 network configuration of one account and region, as K3sNet reads and changes it. Every method pages
    /// through to the end; EC2 errors surface as <see cref="Ec2ApiException"/>.
    /// </summary>
    internal interface ICloudNetwork : IDisposable
    {
        /// <summary>Every VPC with its address ranges: the narrowest source that covers a cluster's private addresses.</summary>
        Task<IReadOnlyList<VpcNetwork>> DescribeVpcsAsync(CancellationToken cancellationToken);

        /// <summary>
        /// The instances with these ids, plus those with any of these private addresses: one DescribeInstances per kind of
        /// key (and per 200 keys, EC2's limit on filter values), pages followed. Unknown ids are not an error here.
        /// </summary>
        Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(
            IReadOnlyCollection<string> instanceIds, IReadOnlyCollection<string> privateIpAddresses, CancellationToken cancellationToken);

        /// <summary>
        /// Every network interface in any of these groups (a group-id filter, pages followed): instances' interfaces and
        /// those of databases, load balancers, endpoints and functions, which tells K3sNet whether only the cluster's
        /// nodes carry a group.
        /// </summary>
        Task<IReadOnlyList<Ec2NetworkInterface>> DescribeNetworkInterfacesAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken);

        /// <summary>The subnets with these ids and their IPv4 blocks (a subnet-id filter: an unknown id is simply absent).</summary>
        Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken cancellationToken);

        /// <summary>The groups with these ids (a group-id filter: an unknown id is simply absent), pages followed.</summary>
        Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken);

        /// <summary>The ingress rules of these groups with their rule ids (DescribeSecurityGroupRules).</summary>
        Task<IReadOnlyList<(string GroupId, SecurityGroupRule Rule)>> DescribeIngressRulesAsync(
            IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken);

        /// <summary>The network ACLs associated with these subnets.</summary>
        Task<IReadOnlyList<Ec2NetworkAcl>> DescribeNetworkAclsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken cancellationToken);

        /// <summary>
        /// Adds <paramref name="rules"/> to one group in one AuthorizeSecurityGroupIngress call and returns them with their
        /// rule ids. With <paramref name="dryRun"/> EC2 only checks permission: success returns an empty list.
        /// </summary>
        Task<IReadOnlyList<SecurityGroupRule>> AuthorizeIngressAsync(
            string groupId, IReadOnlyList<SecurityGroupRule> rules, bool dryRun, CancellationToken cancellationToken);

        /// <summary>Removes rules from one group by rule id in one call; with <paramref name="dryRun"/> only checks permission.</summary>
        Task RevokeIngressAsync(string groupId, IReadOnlyList<string> ruleIds, bool dryRun, CancellationToken cancellationToken);
    }
}
