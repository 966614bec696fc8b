using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Ports;

namespace K3sNet.Aws
{
    /// <summary>
    /// Test-K3sSecurityGroup's reading of EC2, in as few calls as the data allows: one DescribeInstances for every input,
    /// then one DescribeSecurityGroups for their groups, one DescribeNetworkAcls for their subnets and one
    /// DescribeNetworkInterfaces for who else carries their groups (pages followed),
    /// and the <see cref="SecurityGroupAnalysis"/> that judges them. Each step is its own call so the cmdlet can report
    /// progress and findings between them on the pipeline thread.
    /// </summary>
    internal sealed class SecurityGroupCheck
    {
        private readonly ICloudNetwork _ec2;

        public SecurityGroupCheck(ICloudNetwork ec2)
        {
            _ec2 = ec2;
        }

        /// <summary>
        /// Each input with its instance (by id when it has one, else by private address), in input order. An address that
        /// several instances share (overlapping VPCs) names the one in the VPC of the inputs found without doubt, or none.
        /// </summary>
        public async Task<IReadOnlyList<NodeMatch>> FindInstancesAsync(IReadOnlyList<NodeInput> inputs, CancellationToken cancellationToken)
        {
            string[] ids = inputs.Where(i => i.InstanceId is not null).Select(i => i.InstanceId!).ToArray();
            string[] addresses = inputs.Where(i => i.InstanceId is null).Select(i => i.Address!).ToArray();
            IReadOnlyList<Ec2Instance> instances = await _ec2.DescribeInstancesAsync(ids, addresses, cancellationToken).ConfigureAwait(false);
            var byId = instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
            var byAddress = new InstanceAddresses(instances);
            HashSet<string> clusterVpcs = byAddress.VpcsOfUnique(addresses);
            clusterVpcs.UnionWith(ids.Select(id => byId.GetValueOrDefault(id)?.VpcId).OfType<string>());

            return inputs
                .Select(input => input.InstanceId is string id
                    ? new NodeMatch(input, byId.GetValueOrDefault(id))
                    : Match(input, byAddress, clusterVpcs))
                .ToList();
        }

        private static NodeMatch Match(NodeInput input, InstanceAddresses byAddress, IReadOnlySet<string> clusterVpcs)
        {
            Ec2Instance? instance = byAddress.Find(input.Address!, clusterVpcs);
            return instance is not null
                ? new NodeMatch(input, instance)
                : new NodeMatch(input, null) { SameAddress = byAddress.All(input.Address!).Select(i => i.InstanceId).ToArray() };
        }

        /// <summary>The nodes the analysis judges: every matched input, with the addresses its traffic uses.</summary>
        public static IReadOnlyList<AnalysisNode> Nodes(IEnumerable<NodeMatch> matches) => matches
            .Where(m => m.Instance is not null)
            .Select(m =>
            {
                K3sNode? node = m.Input.Target as K3sNode;
                Ec2Instance instance = m.Instance!;
                return new AnalysisNode(m.Input.Name, m.Input.Role, m.Input.Address ?? instance.PrivateIpAddress, m.Input.VxlanAddress,
                    node?.InternalIPv6 ?? instance.Ipv6Addresses.FirstOrDefault(), instance, node?.FlannelPublicIPv6);
            })
            .ToList();

        /// <summary>
        /// The nodes' security groups and, when they span subnets, the network ACLs between them (traffic inside one
        /// subnet never crosses a network ACL: with one subnet there is nothing to read).
        /// </summary>
        public async Task<SecurityGroupAnalysis> ReadNetworkAsync(IReadOnlyList<AnalysisNode> nodes, CancellationToken cancellationToken)
        {
            string[] groupIds = nodes.SelectMany(n => n.Instance.GroupIds).Distinct(StringComparer.Ordinal).ToArray();
            IReadOnlyList<Ec2SecurityGroup> groups = await _ec2.DescribeSecurityGroupsAsync(groupIds, cancellationToken).ConfigureAwait(false);
            var byId = groups.DistinctBy(g => g.GroupId).ToDictionary(g => g.GroupId, StringComparer.Ordinal);
            string[] subnets = nodes.Select(n => n.Instance.SubnetId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            IReadOnlyList<Ec2NetworkAcl> acls = subnets.Length > 1
                ? await _ec2.DescribeNetworkAclsAsync(subnets, cancellationToken).ConfigureAwait(false)
                : Array.Empty<Ec2NetworkAcl>();
            return new SecurityGroupAnalysis(byId, acls, await ChooserAsync(byId, nodes, cancellationToken).ConfigureAwait(false));
        }

        /// <summary>
        /// The chooser for GroupId and SuggestedSource, as Grant-K3sNodeTraffic uses it. Any node may be a source, so
        /// every group besides the VPC's default one needs its holders counted: one DescribeNetworkInterfaces (per 200
        /// groups), skipped when no node carries such a group.
        /// </summary>
        private async Task<SecurityGroupChooser> ChooserAsync(
            IReadOnlyDictionary<string, Ec2SecurityGroup> groups, IReadOnlyList<AnalysisNode> nodes, CancellationToken cancellationToken)
        {
            Ec2Instance[] instances = nodes.Select(n => n.Instance).DistinctBy(i => i.InstanceId).ToArray();
            var chooser = new SecurityGroupChooser(groups, instances, null);
            string[] counted = instances.SelectMany(i => i.GroupIds).Where(g => !chooser.IsDefault(g)).Distinct(StringComparer.Ordinal).ToArray();
            return counted.Length == 0
                ? chooser
                : chooser.WithInterfaces(instances, await _ec2.DescribeNetworkInterfacesAsync(counted, cancellationToken).ConfigureAwait(false));
        }

        /// <summary>
        /// The matrix the K3sNode inputs imply (backend, embedded etcd and registry, dual-stack, as Get-K3sPortMatrix
        /// infers it), or null when there are none. Nodes that publish no flannel backend get k3s's default: VXLAN.
        /// </summary>
        public static PortMatrixInferenceResult? ImpliedMatrix(IEnumerable<NodeInput> inputs)
        {
            K3sNode[] nodes = inputs.Select(i => i.Target).OfType<K3sNode>().ToArray();
            if (nodes.Length == 0)
            {
                return null;
            }

            return PortMatrixInference.FromNodes(nodes, role: null, backendWhenUnpublished: FlannelBackend.Vxlan);
        }
    }
}
