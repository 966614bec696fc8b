using System.Collections.Generic;
using System.Text.Json;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// Everything the emulator knows, as its JSON state file spells it. Property names are camelCase in the file;
    /// a change hook receives the same document.
    /// </summary>
    public sealed class Ec2State
    {
        public string OwnerId { get; set; } = "123456789012";

        public List<VpcState> Vpcs { get; set; } = new();

        public List<InstanceState> Instances { get; set; } = new();

        public List<SecurityGroupState> SecurityGroups { get; set; } = new();

        public List<NetworkAclState> NetworkAcls { get; set; } = new();

        /// <summary>Subnets and their blocks (DescribeSubnets). An instance's subnet need not be listed.</summary>
        public List<SubnetState> Subnets { get; set; } = new();

        /// <summary>
        /// Network interfaces that belong to no instance here: a database's, a load balancer's, a function's. They carry
        /// security groups too, which DescribeNetworkInterfaces reports.
        /// </summary>
        public List<NetworkInterfaceState> NetworkInterfaces { get; set; } = new();

        internal static readonly JsonSerializerOptions Json = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // Nulls are written: a hook (or a test) reading the state sees every property of every rule.
            WriteIndented = true,
        };

        public static Ec2State Parse(string json) => JsonSerializer.Deserialize<Ec2State>(json, Json) ?? new Ec2State();

        public string ToJson() => JsonSerializer.Serialize(this, Json);

        public Ec2State Clone() => Parse(ToJson());
    }

    public sealed class VpcState
    {
        public string VpcId { get; set; } = string.Empty;

        public string CidrBlock { get; set; } = string.Empty;

        public List<string> Ipv6CidrBlocks { get; set; } = new();

        public bool IsDefault { get; set; }
    }

    public sealed class InstanceState
    {
        public string InstanceId { get; set; } = string.Empty;

        /// <summary>Instances that share a reservation id are returned in one reservation (pages count reservations).</summary>
        public string? ReservationId { get; set; }

        public string State { get; set; } = "running";

        public string? VpcId { get; set; }

        public string? SubnetId { get; set; }

        public string? AvailabilityZone { get; set; }

        public string? PrivateIpAddress { get; set; }

        public List<string> SecondaryPrivateIpAddresses { get; set; } = new();

        public string? PublicIpAddress { get; set; }

        public List<string> Ipv6Addresses { get; set; } = new();

        public List<string> GroupIds { get; set; } = new();

        public string? NetworkInterfaceId { get; set; }

        /// <summary>
        /// Interfaces attached besides the primary one (device index 1, 2, …), each with its own subnet, addresses and
        /// groups. The primary interface is the instance's own fields; its groups are what EC2 reports as the instance's.
        /// </summary>
        public List<NetworkInterfaceState> NetworkInterfaces { get; set; } = new();

        public Dictionary<string, string> Tags { get; set; } = new();
    }

    public sealed class SubnetState
    {
        public string SubnetId { get; set; } = string.Empty;

        public string? VpcId { get; set; }

        public string CidrBlock { get; set; } = string.Empty;

        public string? AvailabilityZone { get; set; }
    }

    public sealed class NetworkInterfaceState
    {
        public string NetworkInterfaceId { get; set; } = string.Empty;

        public string? SubnetId { get; set; }

        public string? VpcId { get; set; }

        /// <summary>The first is the interface's primary private address.</summary>
        public List<string> PrivateIpAddresses { get; set; } = new();

        public List<string> Ipv6Addresses { get; set; } = new();

        public List<string> GroupIds { get; set; } = new();

        /// <summary>"interface", or what AWS names a managed one ("network_load_balancer", "lambda", …).</summary>
        public string InterfaceType { get; set; } = "interface";

        public string? Description { get; set; }
    }

    public sealed class SecurityGroupState
    {
        public string GroupId { get; set; } = string.Empty;

        public string GroupName { get; set; } = string.Empty;

        public string Description { get; set; } = string.Empty;

        public string? VpcId { get; set; }

        public List<RuleState> Ingress { get; set; } = new();

        public List<RuleState> Egress { get; set; } = new();
    }

    /// <summary>One rule: one protocol, one port range, one source (as AWS counts rules).</summary>
    public sealed class RuleState
    {
        public string? RuleId { get; set; }

        public string IpProtocol { get; set; } = "-1";

        public int? FromPort { get; set; }

        public int? ToPort { get; set; }

        public string? CidrIpv4 { get; set; }

        public string? CidrIpv6 { get; set; }

        public string? ReferencedGroupId { get; set; }

        public string? PrefixListId { get; set; }

        public string? Description { get; set; }
    }

    public sealed class NetworkAclState
    {
        public string NetworkAclId { get; set; } = string.Empty;

        public string? VpcId { get; set; }

        public bool IsDefault { get; set; }

        public List<string> SubnetIds { get; set; } = new();

        public List<NetworkAclEntryState> Entries { get; set; } = new();
    }

    public sealed class NetworkAclEntryState
    {
        public int RuleNumber { get; set; }

        /// <summary>"-1" or a protocol number as text: "6" tcp, "17" udp.</summary>
        public string Protocol { get; set; } = "-1";

        public string RuleAction { get; set; } = "allow";

        public bool Egress { get; set; }

        public string? CidrBlock { get; set; }

        public string? Ipv6CidrBlock { get; set; }

        public int? FromPort { get; set; }

        public int? ToPort { get; set; }
    }
}
