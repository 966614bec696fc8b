using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Aws
{
    /// <summary>
    /// An EC2 instance as K3sNet needs it: where it sits, its addresses, and its security groups (the union over its
    /// network interfaces: what evaluation uses), with each interface's own groups and subnet when EC2 reported them.
    /// </summary>
    internal sealed record Ec2Instance(
        string InstanceId,
        string? State,
        string? VpcId,
        string? SubnetId,
        string? PrivateIpAddress,
        string? PublicIpAddress,
        IReadOnlyList<string> PrivateIpAddresses,
        IReadOnlyList<string> Ipv6Addresses,
        IReadOnlyList<string> GroupIds,
        IReadOnlyList<Ec2NetworkInterface>? NetworkInterfaces = null)
    {
        /// <summary>
        /// The interface that holds <paramref name="address"/>, or null when EC2 reported none (or the address is not one
        /// of the instance's). Security groups apply per interface: a rule helps traffic to an address only in a group of
        /// the interface that holds it, and a group reference admits traffic only from the interface that carries it.
        /// </summary>
        public Ec2NetworkInterface? InterfaceOf(string? address) => address is null || NetworkInterfaces is null
            ? null
            : NetworkInterfaces.FirstOrDefault(n => n.Holds(address));

        /// <summary>The groups of the interface that holds <paramref name="address"/>, else the instance's groups.</summary>
        public IReadOnlyList<string> GroupsFor(string? address) => InterfaceOf(address)?.GroupIds ?? GroupIds;

        /// <summary>The subnet of the interface that holds <paramref name="address"/>, else the instance's subnet.</summary>
        public string? SubnetFor(string? address) => InterfaceOf(address)?.SubnetId ?? SubnetId;
    }

    /// <summary>A network interface: its own security groups, subnet and addresses (an instance may have several).</summary>
    internal sealed record Ec2NetworkInterface(
        string NetworkInterfaceId,
        string? InstanceId,
        string? SubnetId,
        IReadOnlyList<string> PrivateIpAddresses,
        IReadOnlyList<string> Ipv6Addresses,
        IReadOnlyList<string> GroupIds)
    {
        public bool Holds(string address) =>
            PrivateIpAddresses.Contains(address, StringComparer.Ordinal) || Ipv6Addresses.Contains(address, StringComparer.OrdinalIgnoreCase);

        /// <summary>What carries this interface's groups: its instance, or the interface itself (a database, a load balancer, a Lambda function).</summary>
        public string Holder => InstanceId ?? NetworkInterfaceId;
    }
}
