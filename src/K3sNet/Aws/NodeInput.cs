using System.Net;
using K3sNet.Kubernetes;

namespace K3sNet.Aws
{
    /// <summary>
    /// A node Test-K3sSecurityGroup was asked to judge, as the caller named it: a K3sNode (found by the instance id in its
    /// AWS provider id, else by its InternalIP), an instance id, or a private address. <paramref name="Target"/> is the
    /// input an error about it names.
    /// </summary>
    internal sealed record NodeInput(string Name, K3sRole? Role, string? InstanceId, string? Address, string? VxlanAddress, object Target)
    {
        /// <summary>The input for <paramref name="node"/>, or null when it has neither an AWS provider id nor an InternalIP.</summary>
        public static NodeInput? From(K3sNode node)
        {
            string? instanceId = node.InstanceId ?? InstanceIdOf(node.ProviderId);
            return instanceId is null && node.InternalIP is null
                ? null
                : new NodeInput(node.Name, node.IsServer ? K3sRole.Server : K3sRole.Agent, instanceId, node.InternalIP, node.FlannelPublicIP, node);
        }

        public static NodeInput ForInstance(string instanceId) => new(instanceId, null, instanceId, null, null, instanceId);

        public static NodeInput ForAddress(IPAddress address) => new(address.ToString(), null, null, address.ToString(), null, address);

        /// <summary>The instance id in an AWS provider id (<c>aws:///us-east-1a/i-0abc</c> → <c>i-0abc</c>), as Get-K3sNode reads it.</summary>
        internal static string? InstanceIdOf(string? providerId) => ProviderId.Parse(providerId).InstanceId;
    }
}
