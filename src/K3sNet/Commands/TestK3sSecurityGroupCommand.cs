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
    [OutputType(typeof(SecurityGroupVerdict), typeof(SecurityGroupVerdictSummary))]
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

        /// <summary>The flows to judge; without it, the matrix the nodes imply (backend, embedded etcd and registry, dual-stack).</summary>
        [Parameter]
        public PortRequirement[]? Requirement { get; set; }

        /// <summary>
        /// Writes only the verdicts that are not allowed (Status Blocked or Unknown): what Where-Object { -not $_.Allowed }
        /// keeps, without building and piping the allowed ones first.
        /// </summary>
        [Parameter]
        public SwitchParameter NotAllowed { get; set; }

        /// <summary>One SecurityGroupVerdictSummary per group, flow, status and fix, with its node pairs, instead of a verdict per pair.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case NodeSet:
                    foreach (K3sNode node in InputObject.Where(n => n is not null))
                    {
                        if (NodeInput.From(node) is not NodeInput input)
                        {
                            WriteError(K3sNetErrors.Create("NodeHasNoAddress", ErrorCategory.InvalidData, node,
                                $"Node '{node.Name}' has neither an AWS provider id nor an InternalIP, so K3sNet cannot find its instance.",
                                "Check the node with kubectl get node -o wide; on AWS its providerID is aws:///<zone>/<instance id>."));
                            continue;
                        }

                        _inputs.Add(input);
                    }

                    break;
                case InstanceIdSet:
                    _inputs.AddRange(InstanceId.Select(NodeInput.ForInstance));
                    break;
                default:
                    _inputs.AddRange(PrivateIpAddress.Select(NodeInput.ForAddress));
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
                Judge(new SecurityGroupCheck(ec2));
            }
            catch (Ec2ApiException e)
            {
                ThrowTerminatingError(Ec2Error(e, e.Action));
            }
        }

        private void Judge(SecurityGroupCheck check)
        {
            var progress = new ProgressRecord(1, "Test-K3sSecurityGroup", "Reading instances") { PercentComplete = 0 };
            WriteProgress(progress);
            IReadOnlyList<NodeMatch> matches = Wait(check.FindInstancesAsync(_inputs, CancellationToken));
            foreach (NodeMatch match in matches)
            {
                NodeInput input = match.Input;
                if (match.Instance is null && match.SameAddress.Count > 1)
                {
                    WriteError(K3sNetErrors.Create("InstanceAmbiguous", ErrorCategory.InvalidData, input.Target,
                        $"{match.SameAddress.Count} EC2 instances have the private address {input.Address} ({string.Join(", ", match.SameAddress)}, in VPCs that overlap), and none is in the VPC of the other nodes (node '{input.Name}').",
                        "Pass -InstanceId with the node's instance id, or run k3s with the AWS cloud provider so the node's providerID names its instance."));
                }
                else if (match.Instance is null)
                {
                    WriteError(K3sNetErrors.Create("InstanceNotFound", ErrorCategory.ObjectNotFound, input.Target,
                        $"No EC2 instance in this account and region {(input.InstanceId is not null ? $"has the id {input.InstanceId}" : $"has the private address {input.Address}")}{NodeSuffix(input)}.",
                        "Check -Region and the credentials' account; a node outside EC2 cannot be judged by its security groups."));
                }
                else if (match.NotRunningState is string state)
                {
                    WriteWarning($"{match.Instance.InstanceId} (node '{input.Name}') is {state}: its rules are judged, but it sends and receives nothing until it runs.");
                }
            }

            IReadOnlyList<AnalysisNode> nodes = SecurityGroupCheck.Nodes(matches);
            if (nodes.Count == 0)
            {
                return;
            }

            if (nodes.Count == 1)
            {
                // A warning, not an error: a one-node cluster is a real cluster, and its exposures are still worth
                // reporting; but without a word the empty result would read as "nothing is blocked".
                AnalysisNode only = nodes[0];
                string named = only.Name == only.Instance.InstanceId ? only.Name : $"{only.Name}, {only.Instance.InstanceId}";
                WriteWarning($"Only one node ({named}) was found, so there is no pair of nodes to judge: " +
                    "Test-K3sSecurityGroup judges the flows between two or more nodes and here reports only ports open to the internet. " +
                    "Pass every node of the cluster: Get-K3sNode | Test-K3sSecurityGroup, or -InstanceId with two or more ids.");
            }

            progress.StatusDescription = "Reading security groups and network ACLs";
            progress.PercentComplete = 33;
            WriteProgress(progress);
            SecurityGroupAnalysis analysis = Wait(check.ReadNetworkAsync(nodes, CancellationToken));
            IReadOnlyList<PortRequirement> requirements = Requirement ?? Matrix();
            WriteVerbose($"{nodes.Count} node(s) on {analysis.GroupCount} security group(s) and {analysis.AclCount} network ACL(s); judging {requirements.Count} requirement(s).");

            progress.StatusDescription = "Judging flows";
            progress.PercentComplete = 66;
            WriteProgress(progress);
            // The filter and the summary work inside the analysis: a pair that is filtered out or summarised never
            // becomes an object in the pipeline (at 1,000 nodes, two million of them).
            Func<SecurityGroupVerdictStatus, bool>? keep = NotAllowed
                ? status => status is SecurityGroupVerdictStatus.Blocked or SecurityGroupVerdictStatus.Unknown
                : null;
            IEnumerable<SecurityGroupVerdict> exposures = analysis.Exposures(nodes, requirements).Where(v => keep is null || keep(v.Status));
            if (Summary)
            {
                foreach (SecurityGroupVerdictSummary summary in analysis.Summarize(nodes, requirements, keep).Concat(exposures.Select(VerdictSummaryBuilder.FromExposure)))
                {
                    WriteObject(summary);
                }
            }
            else
            {
                foreach (SecurityGroupVerdict verdict in analysis.Judge(nodes, requirements, keep).Concat(exposures))
                {
                    WriteObject(verdict);
                }
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }

        /// <summary>The matrix the nodes imply; instances given by id or address get k3s's default, VXLAN.</summary>
        private IReadOnlyList<PortRequirement> Matrix()
        {
            if (SecurityGroupCheck.ImpliedMatrix(_inputs) is not PortMatrixInferenceResult inferred)
            {
                return PortMatrix.For(new PortMatrixOptions());
            }

            foreach (string warning in inferred.Warnings)
            {
                WriteWarning(warning);
            }

            WriteVerbose(inferred.Summary);
            return PortMatrix.For(inferred.Options);
        }

        /// <summary>" (node 'x')" when the input was a node, so an id or address given directly is not named twice.</summary>
        private static string NodeSuffix(NodeInput input) =>
            input.Name == input.InstanceId || input.Name == input.Address ? string.Empty : $" (node '{input.Name}')";
    }
}
