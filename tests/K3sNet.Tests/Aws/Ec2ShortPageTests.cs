using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>
    /// EC2 may answer with fewer items than MaxResults asks for, even none, and a NextToken: K3sNet reads on until the
    /// token is gone, whatever the pages hold.
    /// </summary>
    public sealed class Ec2ShortPageTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public async Task Every_read_pages_through_short_and_empty_pages_to_the_end()
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 7, groups: 5));
            bed.Emulator.SetPaging(pageLimit: 2, emptyFirstPage: true);
            using Ec2CloudNetwork ec2 = bed.Connect();

            IReadOnlyList<Ec2Instance> instances = await ec2.DescribeInstancesAsync(Array.Empty<string>(), Ec2TestBed.Addresses(7), None);
            IReadOnlyList<Ec2SecurityGroup> groups = await ec2.DescribeSecurityGroupsAsync(Enumerable.Range(0, 5).Select(Ec2TestBed.GroupId).ToList(), None);
            IReadOnlyList<(string GroupId, K3sNet.Aws.SecurityGroupRule Rule)> rules = await ec2.DescribeIngressRulesAsync(new[] { Ec2TestBed.GroupId(0) }, None);
            IReadOnlyList<VpcNetwork> vpcs = await ec2.DescribeVpcsAsync(None);

            Assert.Equal(7, instances.Count);
            Assert.Equal(5, groups.Count);
            Assert.Equal(10, rules.Count); // 6443 and 10250 from each of the five groups
            Assert.Single(vpcs);
            // An empty first page, then pages of two: 1 + ceil(n / 2) calls each.
            Assert.Equal(1 + 4, bed.Emulator.CallCount("DescribeInstances"));
            Assert.Equal(1 + 3, bed.Emulator.CallCount("DescribeSecurityGroups"));
            Assert.Equal(1 + 5, bed.Emulator.CallCount("DescribeSecurityGroupRules"));
            Assert.Equal(1 + 1, bed.Emulator.CallCount("DescribeVpcs"));
        }

        [Theory]
        [InlineData(4)]
        [InlineData(1001)]
        public async Task MaxResults_outside_5_to_1000_is_refused_as_EC2_refuses_it(int maxResults)
        {
            await using Ec2TestBed bed = await Ec2TestBed.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 1));
            using AmazonEC2Client client = AwsClientFactory.Create(new AwsConnection
            {
                Region = "us-east-1", AccessKey = Ec2Emulator.DefaultAccessKeyId, SecretKey = Ec2Emulator.DefaultSecretAccessKey, EndpointUrl = bed.Emulator.ServiceUrl.ToString(),
            });

            AmazonEC2Exception error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => client.DescribeVpcsAsync(new DescribeVpcsRequest { MaxResults = maxResults }));

            Assert.Equal("InvalidParameterValue", error.ErrorCode);
        }
    }
}
