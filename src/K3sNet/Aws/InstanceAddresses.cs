using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Aws
{
    /// <summary>
    /// Instances by private IPv4 address. VPCs of one account may overlap (10.0.0.0/16 for dev and for prod), so one
    /// address can belong to several instances: the one in the cluster's VPC is the node, and when no VPC tells them
    /// apart the address names none, since a verdict or a rule about another VPC's instance is worse than an error.
    /// </summary>
    internal sealed class InstanceAddresses
    {
        private readonly ILookup<string, Ec2Instance> _byAddress;

        public InstanceAddresses(IEnumerable<Ec2Instance> instances)
        {
            _byAddress = instances
                .SelectMany(i => i.PrivateIpAddresses.Distinct(StringComparer.Ordinal).Select(ip => (Ip: ip, Instance: i)))
                .ToLookup(x => x.Ip, x => x.Instance, StringComparer.Ordinal);
        }

        /// <summary>Every instance with <paramref name="address"/>.</summary>
        public IReadOnlyList<Ec2Instance> All(string address) => _byAddress[address].ToList();

        private bool IsUnique(string address) => _byAddress[address].Count() == 1;

        /// <summary>The VPCs of the instances that alone have one of <paramref name="addresses"/>: the cluster's VPCs.</summary>
        public HashSet<string> VpcsOfUnique(IEnumerable<string?> addresses) => addresses
            .OfType<string>()
            .Where(IsUnique)
            .Select(a => _byAddress[a].First().VpcId)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        /// <summary>
        /// The instance with <paramref name="address"/>: the only one, else the only one in <paramref name="clusterVpcs"/>;
        /// null when none has it or several remain.
        /// </summary>
        public Ec2Instance? Find(string address, IReadOnlySet<string> clusterVpcs)
        {
            IReadOnlyList<Ec2Instance> candidates = All(address);
            if (candidates.Count <= 1)
            {
                return candidates.FirstOrDefault();
            }

            Ec2Instance[] inCluster = candidates.Where(i => i.VpcId is string vpc && clusterVpcs.Contains(vpc)).ToArray();
            return inCluster.Length == 1 ? inCluster[0] : null;
        }
    }
}
