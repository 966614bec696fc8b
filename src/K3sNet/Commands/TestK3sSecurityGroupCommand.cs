using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Ports;

namespace K3sNet.Commands
{
    /// <summary>Judges every flow a k3s cluster needs between its nodes against their EC2 security groups and network ACLs.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "K3sSecurityGroup", DefaultParameterSetName = NodeSet)]
    [OutputType(typeof(SecurityGroupVerdict))]
    public sealed class TestK3sSecurityGroupCommand : AwsCmdlet
    {
        private const string NodeSet = "Node";
        private const string InstanceIdSet = "InstanceId";
        private const string PrivateIpSet = "PrivateIpAddress";

        private readonly List<NodeInput> _inputs = new();

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = NodeSet)]
        public K3sNode[] InputObject { get; set; } = Array.Empty<K3sNode>();

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = InstanceIdSet)]
        public string[] InstanceId { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = PrivateIpSet)]
        public IPAddress[] PrivateIpAddress { get; set; } = Array.Empty<IPAddress>();

        /// <summary>The flows to judge; without it, the matrix of a plain k3s install with the nodes' flannel backend.</summary>
        [Parameter]
        public PortRequirement[]? Requirement { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case NodeSet:
                    foreach (K3sNode node in InputObject.Where(n => n is not null))
                    {
                        string? instanceId = node.InstanceId ?? InstanceIdOf(node.ProviderId);
                        if (instanceId is null && node.InternalIP is null)
                        {
                            WriteError(K3sNetErrors.Create("NodeHasNoAddress", ErrorCategory.InvalidData, node,
                                $"Node '{node.Name}' has neither an AWS provider id nor an InternalIP, so K3sNet cannot find its instance.",
                                "Check the node with kubectl get node -o wide; on AWS its providerID is aws:///<zone>/<instance id>."));
                            continue;
                        }

                        _inputs.Add(new NodeInput(node.Name, node.IsServer ? K3sRole.Server : K3sRole.Agent, instanceId, node.InternalIP, node.FlannelPublicIP, node));
                    }

                    break;
                case InstanceIdSet:
                    foreach (string id in InstanceId)
                    {
                        _inputs.Add(new NodeInput(id, null, id, null, null, id));
                    }

                    break;
                default:
                    foreach (IPAddress address in PrivateIpAddress)
                    {
                        _inputs.Add(new NodeInput(address.ToString(), null, null, address.ToString(), null, address));
                    }

                    break;
            }
        }

        protected override void EndProcessing()
        {
            if (_inputs.Count == 0)
            {
                return;
            }

            using ICloudNetwork ec2 = ConnectEc2();
            try
            {
                Judge(ec2);
            }
            catch (Ec2ApiException e)
            {
                ThrowTerminatingError(Ec2Error(e, e.Action));
            }
        }

        private void Judge(ICloudNetwork ec2)
        {
            var progress = new ProgressRecord(1, "Test-K3sSecurityGroup", "Reading instances") { PercentComplete = 0 };
            WriteProgress(progress);
            string[] ids = _inputs.Where(i => i.InstanceId is not null).Select(i => i.InstanceId!).ToArray();
            string[] addresses = _inputs.Where(i => i.InstanceId is null).Select(i => i.Address!).ToArray();
            IReadOnlyList<Ec2Instance> instances = Wait(ec2.DescribeInstancesAsync(ids, addresses, CancellationToken));
            var byId = instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
            var byAddress = new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
            foreach (Ec2Instance instance in instances)
            {
                foreach (string ip in instance.PrivateIpAddresses)
                {
                    byAddress.TryAdd(ip, instance);
                }
            }

            var nodes = new List<AnalysisNode>();
            foreach (NodeInput input in _inputs)
            {
                Ec2Instance? instance = input.InstanceId is string id ? byId.GetValueOrDefault(id) : byAddress.GetValueOrDefault(input.Address!);
                if (instance is null)
                {
                    WriteError(K3sNetErrors.Create("InstanceNotFound", ErrorCategory.ObjectNotFound, input.Target,
                        $"No EC2 instance in this account and region {(input.InstanceId is not null ? $"has the id {input.InstanceId}" : $"has the private address {input.Address}")} (node '{input.Name}').",
                        "Check -Region and the credentials' account; a node outside EC2 cannot be judged by its security groups."));
                    continue;
                }

                if (instance.State is string state && state != "running")
                {
                    WriteWarning($"{instance.InstanceId} (node '{input.Name}') is {state}: its rules are judged, but it sends and receives nothing until it runs.");
                }

                K3sNode? node = input.Target as K3sNode;
                nodes.Add(new AnalysisNode(input.Name, input.Role, input.Address ?? instance.PrivateIpAddress, input.VxlanAddress,
                    node?.FlannelPublicIPv6 ?? node?.InternalIPv6 ?? instance.Ipv6Addresses.FirstOrDefault(), instance));
            }

            if (nodes.Count == 0)
            {
                return;
            }

            progress.StatusDescription = "Reading security groups and network ACLs";
            progress.PercentComplete = 33;
            WriteProgress(progress);
            string[] groupIds = nodes.SelectMany(n => n.Instance.GroupIds).Distinct(StringComparer.Ordinal).ToArray();
            IReadOnlyList<Ec2SecurityGroup> groups = Wait(ec2.DescribeSecurityGroupsAsync(groupIds, CancellationToken));
            string[] subnets = nodes.Select(n => n.Instance.SubnetId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();

            // Traffic inside one subnet never crosses a network ACL: with one subnet there is nothing to read.
            IReadOnlyList<Ec2NetworkAcl> acls = subnets.Length > 1
                ? Wait(ec2.DescribeNetworkAclsAsync(subnets, CancellationToken))
                : Array.Empty<Ec2NetworkAcl>();

            IReadOnlyList<PortRequirement> requirements = Requirement ?? Matrix();
            WriteVerbose($"{nodes.Count} node(s) on {groups.Count} security group(s) and {acls.Count} network ACL(s); judging {requirements.Count} requirement(s).");

            var analysis = new SecurityGroupAnalysis(groups.ToDictionary(g => g.GroupId, StringComparer.Ordinal), acls);
            progress.StatusDescription = "Judging flows";
            progress.PercentComplete = 66;
            WriteProgress(progress);
            foreach (SecurityGroupVerdict verdict in analysis.Judge(nodes, requirements))
            {
                WriteObject(verdict);
            }

            foreach (SecurityGroupVerdict exposure in analysis.Exposures(nodes, requirements))
            {
                WriteObject(exposure);
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }

        /// <summary>
        /// The matrix the nodes imply (backend, embedded etcd and registry, dual-stack, as Get-K3sPortMatrix infers it).
        /// Nodes that publish no flannel backend, and instances given by id or address, get k3s's default: VXLAN.
        /// </summary>
        private IReadOnlyList<PortRequirement> Matrix()
        {
            K3sNode[] nodes = _inputs.Select(i => i.Target).OfType<K3sNode>().ToArray();
            if (nodes.Length == 0)
            {
                return PortMatrix.For(new PortMatrixOptions());
            }

            PortMatrixInferenceResult inferred = PortMatrixInference.FromNodes(nodes, role: null);
            foreach (string warning in inferred.Warnings)
            {
                WriteWarning(warning);
            }

            PortMatrixOptions options = nodes.Any(n => n.FlannelBackend is not null)
                ? inferred.Options
                : inferred.Options with { FlannelBackend = FlannelBackend.Vxlan };
            WriteVerbose(inferred.Summary);
            return PortMatrix.For(options);
        }

        /// <summary>The instance id in an AWS provider id: <c>aws:///us-east-1a/i-0abc</c> → <c>i-0abc</c>.</summary>
        internal static string? InstanceIdOf(string? providerId)
        {
            if (providerId is null || !providerId.StartsWith("aws://", StringComparison.Ordinal))
            {
                return null;
            }

            string last = providerId[(providerId.LastIndexOf('/') + 1)..];
            return last.StartsWith("i-", StringComparison.Ordinal) ? last : null;
        }

        private sealed record NodeInput(string Name, K3sRole? Role, string? InstanceId, string? Address, string? VxlanAddress, object Target);
    }
}
