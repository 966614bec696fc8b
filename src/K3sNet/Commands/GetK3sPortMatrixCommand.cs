using System.Management.Automation;
using K3sNet.Ports;

namespace K3sNet.Commands
{
    /// <summary>Lists the inbound rules a k3s cluster needs between its nodes.</summary>
    [Cmdlet(VerbsCommon.Get, "K3sPortMatrix")]
    [OutputType(typeof(PortRequirement))]
    public sealed class GetK3sPortMatrixCommand : PSCmdlet
    {
        /// <summary>Only the rules that nodes of this role must admit.</summary>
        [Parameter(Position = 0)]
        public K3sRole? Role { get; set; }

        [Parameter]
        [FlannelBackendTransformation]
        public FlannelBackend FlannelBackend { get; set; } = FlannelBackend.Vxlan;

        [Parameter]
        public SwitchParameter EmbeddedEtcd { get; set; }

        [Parameter]
        public SwitchParameter EmbeddedRegistry { get; set; }

        [Parameter]
        public SwitchParameter IPv6 { get; set; }

        protected override void EndProcessing()
        {
            var options = new PortMatrixOptions
            {
                Role = Role,
                FlannelBackend = FlannelBackend,
                EmbeddedEtcd = EmbeddedEtcd,
                EmbeddedRegistry = EmbeddedRegistry,
                IPv6 = IPv6,
            };

            foreach (PortRequirement requirement in PortMatrix.For(options))
            {
                WriteObject(requirement);
            }
        }
    }
}
