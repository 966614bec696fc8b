using System.Collections.Generic;
using System.Management.Automation;
using K3sNet.Ports;

namespace K3sNet.Commands
{
    /// <summary>
    /// Lists the inbound rules a k3s cluster needs between its nodes: for a cluster described by parameters, or for the
    /// nodes piped in (Get-K3sNode | Get-K3sPortMatrix), whose annotations and labels say what the cluster runs.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "K3sPortMatrix", DefaultParameterSetName = DescribedSet)]
    [OutputType(typeof(PortRequirement))]
    public sealed class GetK3sPortMatrixCommand : PSCmdlet
    {
        private const string DescribedSet = "Described";
        private const string NodesSet = "Nodes";

        private readonly List<K3sNode> _nodes = new();

        /// <summary>Only the rules that nodes of this role must admit.</summary>
        [Parameter(Position = 0)]
        public K3sRole? Role { get; set; }

        [Parameter(ParameterSetName = DescribedSet)]
        [FlannelBackendTransformation]
        public FlannelBackend FlannelBackend { get; set; } = FlannelBackend.Vxlan;

        [Parameter(ParameterSetName = DescribedSet)]
        public SwitchParameter EmbeddedEtcd { get; set; }

        [Parameter(ParameterSetName = DescribedSet)]
        public SwitchParameter EmbeddedRegistry { get; set; }

        [Parameter(ParameterSetName = DescribedSet)]
        public SwitchParameter IPv6 { get; set; }

        /// <summary>The cluster's nodes, usually from Get-K3sNode; the matrix is inferred from all of them together.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = NodesSet)]
        [ValidateNotNull]
        public K3sNode[]? Node { get; set; }

        protected override void ProcessRecord()
        {
            if (Node is not null)
            {
                _nodes.AddRange(Node);
            }
        }

        protected override void EndProcessing()
        {
            PortMatrixOptions options;
            if (ParameterSetName == NodesSet || MyInvocation.ExpectingInput)
            {
                if (_nodes.Count == 0)
                {
                    // An empty pipeline (Get-K3sNode -Name nomatch*) must not pass for a default cluster's matrix.
                    WriteWarning("No nodes came down the pipeline, so there is no cluster to infer a port matrix from.");
                    return;
                }

                PortMatrixInferenceResult inferred = PortMatrixInference.FromNodes(_nodes, Role);
                WriteVerbose(inferred.Summary);
                foreach (string warning in inferred.Warnings)
                {
                    WriteWarning(warning);
                }

                options = inferred.Options;
            }
            else
            {
                options = new PortMatrixOptions
                {
                    Role = Role,
                    FlannelBackend = FlannelBackend,
                    EmbeddedEtcd = EmbeddedEtcd,
                    EmbeddedRegistry = EmbeddedRegistry,
                    IPv6 = IPv6,
                };
            }

            foreach (PortRequirement requirement in PortMatrix.For(options))
            {
                WriteObject(requirement);
            }
        }
    }
}
