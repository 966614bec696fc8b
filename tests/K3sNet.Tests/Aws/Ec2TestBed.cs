using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>The EC2 emulator on a loopback port, and the real AWSSDK.EC2 client (through Ec2CloudNetwork) pointed at it.</summary>
    internal sealed class Ec2TestBed : IAsyncDisposable
    {
        private Ec2TestBed(Ec2Emulator emulator)
        {
            Emulator = emulator;
        }

        public Ec2Emulator Emulator { get; }

        public static async Task<Ec2TestBed> StartAsync(Ec2State state) => new(await Ec2Emulator.StartAsync(state));

        /// <summary>Always explicit keys: the SDK's default chain would look for instance metadata.</summary>
        public Ec2CloudNetwork Connect() => new(new AwsConnection
        {
            Region = "us-east-1",
            AccessKey = "AKIDEXAMPLE",
            SecretKey = "test-secret",
            EndpointUrl = Emulator.ServiceUrl.ToString(),
        });

        public ValueTask DisposeAsync() => Emulator.DisposeAsync();

        /// <summary>
        /// A cluster of <paramref name="nodes"/> instances spread over <paramref name="groups"/> security groups and two
        /// subnets; every group admits 6443 from every group, and nothing else, unless <paramref name="vxlanOpen"/>.
        /// </summary>
        public static Ec2State Cluster(int nodes, int groups, bool vxlanOpen = false)
        {
            var state = new Ec2State
            {
                Vpcs = { new VpcState { VpcId = "vpc-0a", CidrBlock = "10.0.0.0/16" } },
                NetworkAcls =
                {
                    new NetworkAclState
                    {
                        NetworkAclId = "acl-0default", VpcId = "vpc-0a", IsDefault = true, SubnetIds = { "subnet-0a", "subnet-0b" },
                        Entries =
                        {
                            new NetworkAclEntryState { RuleNumber = 100, CidrBlock = "0.0.0.0/0" },
                            new NetworkAclEntryState { RuleNumber = 100, CidrBlock = "0.0.0.0/0", Egress = true },
                            new NetworkAclEntryState { RuleNumber = 32767, CidrBlock = "0.0.0.0/0", RuleAction = "deny" },
                            new NetworkAclEntryState { RuleNumber = 32767, CidrBlock = "0.0.0.0/0", RuleAction = "deny", Egress = true },
                        },
                    },
                },
            };
            for (int g = 0; g < groups; g++)
            {
                var group = new SecurityGroupState { GroupId = GroupId(g), GroupName = $"k3s-{g}", Description = "k3s nodes", VpcId = "vpc-0a" };
                for (int other = 0; other < groups; other++)
                {
                    group.Ingress.Add(new RuleState { IpProtocol = "tcp", FromPort = 6443, ToPort = 6443, ReferencedGroupId = GroupId(other) });
                    group.Ingress.Add(new RuleState { IpProtocol = "tcp", FromPort = 10250, ToPort = 10250, ReferencedGroupId = GroupId(other) });
                    if (vxlanOpen)
                    {
                        group.Ingress.Add(new RuleState { IpProtocol = "udp", FromPort = 8472, ToPort = 8472, ReferencedGroupId = GroupId(other) });
                    }
                }

                state.SecurityGroups.Add(group);
            }

            for (int n = 0; n < nodes; n++)
            {
                state.Instances.Add(new InstanceState
                {
                    InstanceId = InstanceId(n),
                    VpcId = "vpc-0a",
                    SubnetId = n % 2 == 0 ? "subnet-0a" : "subnet-0b",
                    PrivateIpAddress = Address(n),
                    GroupIds = { GroupId(n % groups) },
                });
            }

            return state;
        }

        public static string GroupId(int g) => "sg-" + g.ToString("x17", CultureInfo.InvariantCulture);

        public static string InstanceId(int n) => "i-" + n.ToString("x17", CultureInfo.InvariantCulture);

        public static string Address(int n) => string.Create(CultureInfo.InvariantCulture, $"10.0.{n / 250}.{n % 250 + 4}");

        public static IReadOnlyList<string> Addresses(int count)
        {
            var list = new List<string>();
            for (int n = 0; n < count; n++)
            {
                list.Add(Address(n));
            }

            return list;
        }
    }
}
