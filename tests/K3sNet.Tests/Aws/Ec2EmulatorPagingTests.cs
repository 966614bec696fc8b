using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using K3sNet.Cloud;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>The emulator pages as EC2 does, as the SDK's own paginators read it.</summary>
    public sealed class Ec2EmulatorPagingTests
    {
        private static AmazonEC2Client Client(Ec2Emulator emulator) => AwsClientFactory.Create(new AwsConnection
        {
            Region = "us-east-1", AccessKey = "AKIDEXAMPLE", SecretKey = "test-secret", EndpointUrl = emulator.ServiceUrl.ToString(),
        });

        [Fact]
        public async Task DescribeSecurityGroups_pages_with_MaxResults_until_the_token_is_gone()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 12));
            using AmazonEC2Client client = Client(emulator);

            var ids = new List<string>();
            await foreach (SecurityGroup group in client.Paginators.DescribeSecurityGroups(new DescribeSecurityGroupsRequest { MaxResults = 5 }).SecurityGroups)
            {
                ids.Add(group.GroupId);
            }

            Assert.Equal(Enumerable.Range(0, 12).Select(Ec2TestBed.GroupId), ids);
            Assert.Equal(3, emulator.CallCount("DescribeSecurityGroups"));
        }

        [Fact]
        public async Task DescribeInstances_counts_pages_in_reservations_not_instances()
        {
            Ec2State state = Ec2TestBed.Cluster(nodes: 14, groups: 1);
            foreach (K3sNet.Emulators.Ec2.InstanceState instance in state.Instances.Take(8))
            {
                instance.ReservationId = "r-0fffffffffffffff0";
            }

            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(state);
            using AmazonEC2Client client = Client(emulator);

            DescribeInstancesResponse first = await client.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5 });
            DescribeInstancesResponse second = await client.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = first.NextToken });

            // Seven reservations: one of eight instances and six of one.
            Assert.Equal(5, first.Reservations.Count);
            Assert.Equal(12, first.Reservations.Sum(r => r.Instances.Count));
            Assert.NotNull(first.NextToken);
            Assert.Equal(2, second.Reservations.Count);
            Assert.Null(second.NextToken);
        }

        [Fact]
        public async Task DescribeInstances_refuses_MaxResults_with_instance_ids()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(Ec2TestBed.Cluster(nodes: 2, groups: 1));
            using AmazonEC2Client client = Client(emulator);

            AmazonEC2Exception error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
                client.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = new List<string> { Ec2TestBed.InstanceId(0) }, MaxResults = 5 }));

            Assert.Equal("InvalidParameterCombination", error.ErrorCode);
        }

        [Fact]
        public async Task Filters_are_ANDed_and_their_values_ORed()
        {
            Ec2State state = Ec2TestBed.Cluster(nodes: 4, groups: 2);
            state.Instances[2].State = "stopped";
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(state);
            using AmazonEC2Client client = Client(emulator);

            DescribeInstancesResponse response = await client.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = new List<Filter>
                {
                    new("private-ip-address", new List<string> { Ec2TestBed.Address(0), Ec2TestBed.Address(1), Ec2TestBed.Address(2) }),
                    new("instance-state-name", new List<string> { "running" }),
                },
            });

            Assert.Equal(
                new[] { Ec2TestBed.InstanceId(0), Ec2TestBed.InstanceId(1) },
                response.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId).Order());
        }
    }
}
