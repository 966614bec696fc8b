using System.Linq;
using K3sNet.Ports;

namespace K3sNet.Tests.Kubernetes
{
    public sealed class PortMatrixInferenceTests
    {
        private static K3sNode Node(string name, FlannelBackend? backend = FlannelBackend.Vxlan, bool server = false) =>
            new() { Name = name, FlannelBackend = backend, IsServer = server, InternalIP = "10.0.1.1" };

        [Fact]
        public void A_plain_vxlan_cluster_gives_the_plain_matrix()
        {
            PortMatrixInferenceResult result = PortMatrixInference.FromNodes(new[] { Node("s", server: true), Node("a") }, null);

            Assert.Equal(new PortMatrixOptions(), result.Options);
            Assert.Empty(result.Warnings);
        }

        [Fact]
        public void Etcd_registry_and_ipv6_each_come_from_any_one_node()
        {
            K3sNode etcd = Node("s", server: true);
            etcd.Roles = new[] { "control-plane", "etcd", "master" };
            K3sNode registry = Node("r");
            registry.EmbeddedRegistry = true;
            K3sNode dual = Node("d");
            dual.InternalIPv6 = "fd00::1";

            PortMatrixInferenceResult result = PortMatrixInference.FromNodes(new[] { etcd, registry, dual }, K3sRole.Agent);

            Assert.Equal(new PortMatrixOptions { EmbeddedEtcd = true, EmbeddedRegistry = true, IPv6 = true, Role = K3sRole.Agent }, result.Options);
            Assert.Contains("embedded etcd (s)", result.Summary, System.StringComparison.Ordinal);
            Assert.Contains("dual-stack (d)", result.Summary, System.StringComparison.Ordinal);
        }

        [Fact]
        public void The_servers_backend_wins_and_the_disagreement_is_a_warning_naming_the_other_nodes()
        {
            PortMatrixInferenceResult result = PortMatrixInference.FromNodes(
                new[] { Node("s", FlannelBackend.WireguardNative, server: true), Node("a"), Node("b") }, null);

            Assert.Equal(FlannelBackend.WireguardNative, result.Options.FlannelBackend);
            Assert.Contains("a, b", Assert.Single(result.Warnings), System.StringComparison.Ordinal);
        }

        [Fact]
        public void Nodes_without_flannel_give_backend_none()
        {
            PortMatrixInferenceResult result = PortMatrixInference.FromNodes(new[] { Node("s", null, server: true) }, null);

            Assert.Equal(FlannelBackend.None, result.Options.FlannelBackend);
            Assert.DoesNotContain(PortMatrix.For(result.Options), r => r.FromPort == 8472);
        }
    }
}
