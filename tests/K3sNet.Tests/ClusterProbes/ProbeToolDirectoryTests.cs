using System.Collections.Generic;
using K3sNet.ClusterProbes;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.ClusterProbes
{
    public sealed class ProbeToolDirectoryTests
    {
        private static NodeFacts WithArgs(string json) => new() { Name = "n", Annotations = new Dictionary<string, string> { ["k3s.io/node-args"] = json } };

        [Theory]
        [InlineData("[\"server\",\"--data-dir\",\"/srv/k3s\"]", "/srv/k3s/data/current/bin")]
        [InlineData("[\"agent\",\"-d\",\"/opt/k3s/\"]", "/opt/k3s/data/current/bin")]
        [InlineData("[\"server\",\"--data-dir=/data/k3s\",\"--token\",\"********\"]", "/data/k3s/data/current/bin")]
        [InlineData("[\"server\",\"-d\",\"/first\",\"--data-dir\",\"/last\"]", "/last/data/current/bin")]
        [InlineData("[\"server\",\"--node-ip\",\"10.0.1.10\"]", "/var/lib/rancher/k3s/data/current/bin")]
        [InlineData("[\"server\",\"--data-dir\",\"relative\"]", "/var/lib/rancher/k3s/data/current/bin")]
        [InlineData("not json", "/var/lib/rancher/k3s/data/current/bin")]
        public void The_tool_directory_follows_the_nodes_data_dir(string nodeArgs, string expected)
        {
            Assert.Equal(expected, ProbeToolDirectory.For(WithArgs(nodeArgs)));
        }

        [Fact]
        public void A_node_without_node_args_uses_k3s_s_default()
        {
            Assert.Equal("/var/lib/rancher/k3s/data/current/bin", ProbeToolDirectory.For(new NodeFacts { Name = "n" }));
            Assert.Equal("/var/lib/rancher/k3s/data/current/bin", ProbeToolDirectory.For(null));
        }
    }
}
