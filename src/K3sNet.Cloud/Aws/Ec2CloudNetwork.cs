using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using K3sNet.Aws;
using K3sRule = K3sNet.Aws.SecurityGroupRule;
using SdkRule = Amazon.EC2.Model.SecurityGroupRule;

namespace K3sNet.Cloud.Aws
{
    /// <summary>
    /// EC2 through AWSSDK.EC2 v4. Maps SDK models into K3sNet's plain records (v4 leaves absent collections null and
    /// value types nullable) and SDK exceptions into <see cref="Ec2ApiException"/>, so nothing of the SDK crosses.
    /// </summary>
    internal sealed class Ec2CloudNetwork : ICloudNetwork
    {
        /// <summary>EC2 accepts at most 200 values in one filter.</summary>
        internal const int FilterValueLimit = 200;

        private const int PageSize = 1000;

        private readonly AmazonEC2Client _client;
        private readonly string _endpoint;
        private readonly TimeSpan _timeout;

        public Ec2CloudNetwork(AwsConnection connection)
        {
            _client = AwsClientFactory.Create(connection, out _endpoint);
            _timeout = connection.Timeout ?? AwsClientFactory.DefaultTimeout;
        }

        public Task<IReadOnlyList<VpcNetwork>> DescribeVpcsAsync(CancellationToken cancellationToken) =>
            Call("DescribeVpcs", async () =>
            {
                var vpcs = new List<VpcNetwork>();
                var request = new DescribeVpcsRequest();
                do
                {
                    DescribeVpcsResponse response = await _client.DescribeVpcsAsync(request, cancellationToken).ConfigureAwait(false);
                    foreach (Vpc vpc in response.Vpcs ?? new List<Vpc>())
                    {
                        IEnumerable<string> ipv4 = (vpc.CidrBlockAssociationSet ?? new List<VpcCidrBlockAssociation>())
                            .Select(a => a.CidrBlock)
                            .Prepend(vpc.CidrBlock)
                            .Where(c => !string.IsNullOrEmpty(c))
                            .Distinct(StringComparer.Ordinal);
                        IEnumerable<string> ipv6 = (vpc.Ipv6CidrBlockAssociationSet ?? new List<VpcIpv6CidrBlockAssociation>())
                            .Select(a => a.Ipv6CidrBlock)
                            .Where(c => !string.IsNullOrEmpty(c));
                        vpcs.Add(new VpcNetwork(vpc.VpcId, ipv4.ToArray(), ipv6.ToArray()));
                    }

                    request.NextToken = response.NextToken;
                }
                while (!string.IsNullOrEmpty(request.NextToken));

                return (IReadOnlyList<VpcNetwork>)vpcs;
            });

        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(
            IReadOnlyCollection<string> instanceIds, IReadOnlyCollection<string> privateIpAddresses, CancellationToken cancellationToken) =>
            Call("DescribeInstances", async () =>
            {
                var found = new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
                foreach (string[] chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    // A filter, not InstanceIds: an unknown id is then just absent instead of failing the whole call.
                    await DescribeInstancesPagesAsync(new Filter("instance-id", chunk.ToList()), found, cancellationToken).ConfigureAwait(false);
                }

                foreach (string[] chunk in privateIpAddresses.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    await DescribeInstancesPagesAsync(
                        new Filter("network-interface.addresses.private-ip-address", chunk.ToList()), found, cancellationToken).ConfigureAwait(false);
                }

                return (IReadOnlyList<Ec2Instance>)found.Values.ToList();
            });

        private async Task DescribeInstancesPagesAsync(Filter filter, Dictionary<string, Ec2Instance> found, CancellationToken cancellationToken)
        {
            var request = new DescribeInstancesRequest { Filters = new List<Filter> { filter }, MaxResults = PageSize };
            do
            {
                DescribeInstancesResponse response = await _client.DescribeInstancesAsync(request, cancellationToken).ConfigureAwait(false);
                foreach (Instance instance in (response.Reservations ?? new List<Reservation>()).SelectMany(r => r.Instances ?? new List<Instance>()))
                {
                    found[instance.InstanceId] = Map(instance);
                }

                request.NextToken = response.NextToken;
            }
            while (!string.IsNullOrEmpty(request.NextToken));
        }

        private static Ec2Instance Map(Instance instance)
        {
            List<InstanceNetworkInterface> interfaces = instance.NetworkInterfaces ?? new List<InstanceNetworkInterface>();
            List<string> privateIps = interfaces
                .SelectMany(n => (n.PrivateIpAddresses ?? new List<InstancePrivateIpAddress>()).Select(p => p.PrivateIpAddress))
                .Prepend(instance.PrivateIpAddress)
                .Where(ip => !string.IsNullOrEmpty(ip))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            List<string> ipv6 = interfaces
                .SelectMany(n => (n.Ipv6Addresses ?? new List<InstanceIpv6Address>()).Select(a => a.Ipv6Address))
                .Where(ip => !string.IsNullOrEmpty(ip))
                .ToList();
            List<string> groups = (instance.SecurityGroups ?? new List<GroupIdentifier>())
                .Select(g => g.GroupId)
                .Concat(interfaces.SelectMany(n => (n.Groups ?? new List<GroupIdentifier>()).Select(g => g.GroupId)))
                .Where(g => !string.IsNullOrEmpty(g))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            List<Ec2NetworkInterface> nics = interfaces
                .Where(n => !string.IsNullOrEmpty(n.NetworkInterfaceId))
                .Select(n => new Ec2NetworkInterface(
                    n.NetworkInterfaceId,
                    instance.InstanceId,
                    n.SubnetId,
                    (n.PrivateIpAddresses ?? new List<InstancePrivateIpAddress>()).Select(p => p.PrivateIpAddress).Prepend(n.PrivateIpAddress)
                        .Where(ip => !string.IsNullOrEmpty(ip)).Distinct(StringComparer.Ordinal).ToList(),
                    (n.Ipv6Addresses ?? new List<InstanceIpv6Address>()).Select(a => a.Ipv6Address).Where(ip => !string.IsNullOrEmpty(ip)).ToList(),
                    (n.Groups ?? new List<GroupIdentifier>()).Select(g => g.GroupId).Where(g => !string.IsNullOrEmpty(g)).ToList()))
                .ToList();
            return new Ec2Instance(instance.InstanceId, instance.State?.Name?.Value, instance.VpcId, instance.SubnetId,
                instance.PrivateIpAddress, instance.PublicIpAddress, privateIps, ipv6, groups, nics.Count > 0 ? nics : null);
        }

        public Task<IReadOnlyList<Ec2NetworkInterface>> DescribeNetworkInterfacesAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken) =>
            Call("DescribeNetworkInterfaces", async () =>
            {
                var found = new Dictionary<string, Ec2NetworkInterface>(StringComparer.Ordinal);
                foreach (string[] chunk in groupIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    var request = new DescribeNetworkInterfacesRequest
                    {
                        Filters = new List<Filter> { new("group-id", chunk.ToList()) },
                        MaxResults = PageSize,
                    };
                    do
                    {
                        DescribeNetworkInterfacesResponse response = await _client.DescribeNetworkInterfacesAsync(request, cancellationToken).ConfigureAwait(false);
                        foreach (NetworkInterface nic in response.NetworkInterfaces ?? new List<NetworkInterface>())
                        {
                            found[nic.NetworkInterfaceId] = new Ec2NetworkInterface(
                                nic.NetworkInterfaceId,
                                nic.Attachment?.InstanceId is { Length: > 0 } instanceId ? instanceId : null,
                                nic.SubnetId,
                                (nic.PrivateIpAddresses ?? new List<NetworkInterfacePrivateIpAddress>()).Select(p => p.PrivateIpAddress).Prepend(nic.PrivateIpAddress)
                                    .Where(ip => !string.IsNullOrEmpty(ip)).Distinct(StringComparer.Ordinal).ToList(),
                                (nic.Ipv6Addresses ?? new List<NetworkInterfaceIpv6Address>()).Select(a => a.Ipv6Address).Where(ip => !string.IsNullOrEmpty(ip)).ToList(),
                                (nic.Groups ?? new List<GroupIdentifier>()).Select(g => g.GroupId).Where(g => !string.IsNullOrEmpty(g)).ToList());
                        }

                        request.NextToken = response.NextToken;
                    }
                    while (!string.IsNullOrEmpty(request.NextToken));
                }

                return (IReadOnlyList<Ec2NetworkInterface>)found.Values.ToList();
            });

        public Task<IReadOnlyList<Ec2Subnet>> DescribeSubnetsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken cancellationToken) =>
            Call("DescribeSubnets", async () =>
            {
                var subnets = new Dictionary<string, Ec2Subnet>(StringComparer.Ordinal);
                foreach (string[] chunk in subnetIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    var request = new DescribeSubnetsRequest
                    {
                        Filters = new List<Filter> { new("subnet-id", chunk.ToList()) },
                        MaxResults = PageSize,
                    };
                    do
                    {
                        DescribeSubnetsResponse response = await _client.DescribeSubnetsAsync(request, cancellationToken).ConfigureAwait(false);
                        foreach (Subnet subnet in response.Subnets ?? new List<Subnet>())
                        {
                            subnets[subnet.SubnetId] = new Ec2Subnet(subnet.SubnetId, subnet.VpcId, subnet.CidrBlock);
                        }

                        request.NextToken = response.NextToken;
                    }
                    while (!string.IsNullOrEmpty(request.NextToken));
                }

                return (IReadOnlyList<Ec2Subnet>)subnets.Values.ToList();
            });

        public Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken) =>
            Call("DescribeSecurityGroups", async () =>
            {
                var groups = new List<Ec2SecurityGroup>();
                foreach (string[] chunk in groupIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    var request = new DescribeSecurityGroupsRequest
                    {
                        Filters = new List<Filter> { new("group-id", chunk.ToList()) },
                        MaxResults = PageSize,
                    };
                    do
                    {
                        DescribeSecurityGroupsResponse response = await _client.DescribeSecurityGroupsAsync(request, cancellationToken).ConfigureAwait(false);
                        foreach (SecurityGroup group in response.SecurityGroups ?? new List<SecurityGroup>())
                        {
                            groups.Add(new Ec2SecurityGroup(group.GroupId, group.GroupName ?? string.Empty, group.VpcId,
                                (group.IpPermissions ?? new List<IpPermission>()).SelectMany(Rules).ToList()));
                        }

                        request.NextToken = response.NextToken;
                    }
                    while (!string.IsNullOrEmpty(request.NextToken));
                }

                return (IReadOnlyList<Ec2SecurityGroup>)groups;
            });

        /// <summary>One permission holds several sources; K3sNet counts them as EC2 does, one rule each.</summary>
        private static IEnumerable<K3sRule> Rules(IpPermission permission)
        {
            string protocol = permission.IpProtocol ?? "-1";
            int? from = protocol == "-1" ? null : permission.FromPort;
            int? to = protocol == "-1" ? null : permission.ToPort;
            foreach (IpRange range in permission.Ipv4Ranges ?? new List<IpRange>())
            {
                yield return new K3sRule(protocol, from, to, CidrIpv4: range.CidrIp, Description: range.Description);
            }

            foreach (Ipv6Range range in permission.Ipv6Ranges ?? new List<Ipv6Range>())
            {
                yield return new K3sRule(protocol, from, to, CidrIpv6: range.CidrIpv6, Description: range.Description);
            }

            foreach (UserIdGroupPair pair in permission.UserIdGroupPairs ?? new List<UserIdGroupPair>())
            {
                yield return new K3sRule(protocol, from, to, ReferencedGroupId: pair.GroupId, Description: pair.Description);
            }

            foreach (PrefixListId list in permission.PrefixListIds ?? new List<PrefixListId>())
            {
                yield return new K3sRule(protocol, from, to, PrefixListId: list.Id, Description: list.Description);
            }
        }

        public Task<IReadOnlyList<(string GroupId, K3sRule Rule)>> DescribeIngressRulesAsync(
            IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken) =>
            Call("DescribeSecurityGroupRules", async () =>
            {
                var rules = new List<(string, K3sRule)>();
                foreach (string[] chunk in groupIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    var request = new DescribeSecurityGroupRulesRequest
                    {
                        Filters = new List<Filter> { new("group-id", chunk.ToList()) },
                        MaxResults = PageSize,
                    };
                    do
                    {
                        DescribeSecurityGroupRulesResponse response = await _client.DescribeSecurityGroupRulesAsync(request, cancellationToken).ConfigureAwait(false);
                        foreach (SdkRule rule in (response.SecurityGroupRules ?? new List<SdkRule>()).Where(r => r.IsEgress != true))
                        {
                            rules.Add((rule.GroupId, Map(rule)));
                        }

                        request.NextToken = response.NextToken;
                    }
                    while (!string.IsNullOrEmpty(request.NextToken));
                }

                return (IReadOnlyList<(string, K3sRule)>)rules;
            });

        private static K3sRule Map(SdkRule rule)
        {
            string protocol = rule.IpProtocol ?? "-1";
            return new K3sRule(
                protocol,
                protocol == "-1" ? null : rule.FromPort,
                protocol == "-1" ? null : rule.ToPort,
                CidrIpv4: rule.CidrIpv4,
                CidrIpv6: rule.CidrIpv6,
                ReferencedGroupId: rule.ReferencedGroupInfo?.GroupId,
                PrefixListId: rule.PrefixListId,
                Description: rule.Description,
                RuleId: rule.SecurityGroupRuleId);
        }

        public Task<IReadOnlyList<Ec2NetworkAcl>> DescribeNetworkAclsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken cancellationToken) =>
            Call("DescribeNetworkAcls", async () =>
            {
                var acls = new Dictionary<string, Ec2NetworkAcl>(StringComparer.Ordinal);
                foreach (string[] chunk in subnetIds.Distinct(StringComparer.Ordinal).Chunk(FilterValueLimit))
                {
                    var request = new DescribeNetworkAclsRequest
                    {
                        Filters = new List<Filter> { new("association.subnet-id", chunk.ToList()) },
                        MaxResults = PageSize,
                    };
                    do
                    {
                        DescribeNetworkAclsResponse response = await _client.DescribeNetworkAclsAsync(request, cancellationToken).ConfigureAwait(false);
                        foreach (NetworkAcl acl in response.NetworkAcls ?? new List<NetworkAcl>())
                        {
                            acls[acl.NetworkAclId] = new Ec2NetworkAcl(
                                acl.NetworkAclId,
                                acl.VpcId,
                                (acl.Entries ?? new List<Amazon.EC2.Model.NetworkAclEntry>()).Select(e => new K3sNet.Aws.NetworkAclEntry(
                                    e.RuleNumber ?? 32767,
                                    e.Protocol ?? "-1",
                                    e.RuleAction == RuleAction.Allow,
                                    e.Egress == true,
                                    e.CidrBlock,
                                    e.Ipv6CidrBlock,
                                    e.PortRange?.From,
                                    e.PortRange?.To)).ToList(),
                                (acl.Associations ?? new List<NetworkAclAssociation>()).Select(a => a.SubnetId).Where(s => s is not null).ToList());
                        }

                        request.NextToken = response.NextToken;
                    }
                    while (!string.IsNullOrEmpty(request.NextToken));
                }

                return (IReadOnlyList<Ec2NetworkAcl>)acls.Values.ToList();
            });

        public Task<IReadOnlyList<K3sRule>> AuthorizeIngressAsync(
            string groupId, IReadOnlyList<K3sRule> rules, bool dryRun, CancellationToken cancellationToken) =>
            Call("AuthorizeSecurityGroupIngress", async () =>
            {
                var request = new AuthorizeSecurityGroupIngressRequest
                {
                    GroupId = groupId,
                    IpPermissions = rules.GroupBy(r => (r.IpProtocol, r.FromPort, r.ToPort)).Select(Permission).ToList(),
                    DryRun = dryRun,
                };
                try
                {
                    AuthorizeSecurityGroupIngressResponse response = await _client.AuthorizeSecurityGroupIngressAsync(request, cancellationToken).ConfigureAwait(false);
                    return (IReadOnlyList<K3sRule>)(response.SecurityGroupRules ?? new List<SdkRule>()).Select(Map).ToList();
                }
                catch (AmazonEC2Exception e) when (dryRun && e.ErrorCode == "DryRunOperation")
                {
                    return Array.Empty<K3sRule>();
                }
            });

        private static IpPermission Permission(IGrouping<(string Protocol, int? From, int? To), K3sRule> rules)
        {
            var permission = new IpPermission { IpProtocol = rules.Key.Protocol };
            if (rules.Key.Protocol != "-1")
            {
                permission.FromPort = rules.Key.From;
                permission.ToPort = rules.Key.To;
            }

            foreach (K3sRule rule in rules)
            {
                if (rule.CidrIpv4 is not null)
                {
                    (permission.Ipv4Ranges ??= new List<IpRange>()).Add(new IpRange { CidrIp = rule.CidrIpv4, Description = rule.Description });
                }
                else if (rule.CidrIpv6 is not null)
                {
                    (permission.Ipv6Ranges ??= new List<Ipv6Range>()).Add(new Ipv6Range { CidrIpv6 = rule.CidrIpv6, Description = rule.Description });
                }
                else if (rule.ReferencedGroupId is not null)
                {
                    (permission.UserIdGroupPairs ??= new List<UserIdGroupPair>()).Add(new UserIdGroupPair { GroupId = rule.ReferencedGroupId, Description = rule.Description });
                }
                else if (rule.PrefixListId is not null)
                {
                    (permission.PrefixListIds ??= new List<PrefixListId>()).Add(new PrefixListId { Id = rule.PrefixListId, Description = rule.Description });
                }
            }

            return permission;
        }

        public Task RevokeIngressAsync(string groupId, IReadOnlyList<string> ruleIds, bool dryRun, CancellationToken cancellationToken) =>
            Call("RevokeSecurityGroupIngress", async () =>
            {
                var request = new RevokeSecurityGroupIngressRequest { GroupId = groupId, SecurityGroupRuleIds = ruleIds.ToList(), DryRun = dryRun };
                try
                {
                    await _client.RevokeSecurityGroupIngressAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonEC2Exception e) when (dryRun && e.ErrorCode == "DryRunOperation")
                {
                }

                return true;
            });

        public void Dispose() => _client.Dispose();

        /// <summary>
        /// An attempt that ran out of time: the SDK's TimeoutException, or HttpClient's TaskCanceledException whose inner
        /// exception is a TimeoutException. Ctrl+C cancels without one, and stays a cancellation.
        /// </summary>
        private static bool IsTimeout(Exception e) => e switch
        {
            TimeoutException => true,
            TaskCanceledException { InnerException: TimeoutException } => true,
            AmazonClientException { InnerException: Exception inner } => IsTimeout(inner),
            _ => false,
        };

        /// <summary>Runs one EC2 action and turns whatever the SDK throws into an <see cref="Ec2ApiException"/>.</summary>
        private async Task<T> Call<T>(string action, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (IsTimeout(e))
            {
                // Every attempt ran out of time (the SDK retries a timed-out attempt): name the endpoint and the bound.
                throw new Ec2ApiException(action, "Timeout", 0,
                    $"{_endpoint} did not answer {action} within {_timeout.TotalSeconds:0.###} s, in each of {_client.Config.MaxErrorRetry + 1} attempts.", e);
            }
            catch (AmazonServiceException e) when (string.IsNullOrEmpty(e.ErrorCode))
            {
                // No error body to read (a 5xx from EC2 or a proxy): the SDK then says only "See inner exception".
                int status = (int)e.StatusCode;
                throw new Ec2ApiException(action, "NoErrorBody", status,
                    $"EC2 answered HTTP {status} ({e.StatusCode}) to {action} with no error body to say why, after the SDK's retries.");
            }
            catch (AmazonServiceException e)
            {
                throw new Ec2ApiException(action, e.ErrorCode, (int)e.StatusCode, e.Message);
            }
            catch (AmazonClientException e)
            {
                throw new Ec2ApiException(action, "ClientError", 0, e.Message);
            }
            catch (HttpRequestException e)
            {
                throw new Ec2ApiException(action, "ConnectionFailed", 0, e.Message);
            }
        }
    }
}
