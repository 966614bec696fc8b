using System.Collections.Generic;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    public sealed class NodeParserTests
    {
        [Fact]
        public void A_vxlan_agent_gives_its_addresses_vtep_and_versions_and_no_problem()
        {
            K3sNode node = NodeParser.Parse(Nodes.VxlanAgent("agent-1", "10.0.1.21", "10.42.1.0/24"));

            Assert.Equal("agent-1", node.Name);
            Assert.Empty(node.Roles);
            Assert.False(node.IsServer);
            Assert.Equal("10.0.1.21", node.InternalIP);
            Assert.Equal(FlannelBackend.Vxlan, node.FlannelBackend);
            Assert.Equal("10.0.1.21", node.FlannelPublicIP);
            Assert.Equal("d2:19:ce:bc:8b:20", node.VtepMac);
            Assert.Equal(1, node.Vni);
            Assert.Equal("10.42.1.0/24", node.PodCidr);
            Assert.Equal("10.42.1.0", node.VtepAddress);
            Assert.Equal("v1.31.5+k3s1", node.K3sVersion);
            Assert.True(node.Ready);
            Assert.Empty(node.Problems);
        }

        [Fact]
        public void A_server_has_sorted_role_names_and_embedded_etcd_from_the_etcd_label()
        {
            NodeFacts server = Nodes.Server("s1", args: new[] { "--cluster-init" });
            server = server with { Labels = new Dictionary<string, string>(server.Labels) { ["node-role.kubernetes.io/etcd"] = "true" } };

            K3sNode node = NodeParser.Parse(server);

            Assert.Equal(new[] { "control-plane", "etcd", "master" }, node.Roles);
            Assert.True(node.IsServer);
            Assert.True(node.EmbeddedEtcd);
            Assert.False(node.EmbeddedRegistry);
        }

        [Theory]
        [InlineData("--embedded-registry", true)]
        [InlineData("--embedded-registry=true", true)]
        [InlineData("--embedded-registry=false", false)]
        [InlineData("--disable=traefik", false)]
        public void Embedded_registry_comes_from_the_node_args(string arg, bool expected)
        {
            Assert.Equal(expected, NodeParser.Parse(Nodes.Server("s1", args: new[] { arg })).EmbeddedRegistry);
        }

        [Theory]
        [InlineData("aws:///ap-northeast-2a/i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60001", "ap-northeast-2a")]
        [InlineData("aws:////i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60001", null)]
        [InlineData("i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60001", null)]
        [InlineData("k3s://node1", null, null)]
        [InlineData("aws:///zone/not-an-instance", null, null)]
        public void The_provider_id_names_the_ec2_instance_and_zone(string providerId, string? instance, string? zone)
        {
            K3sNode node = NodeParser.Parse(Nodes.VxlanAgent() with { ProviderId = providerId });

            Assert.Equal(instance, node.InstanceId);
            Assert.Equal(zone, node.AvailabilityZone);
        }

        [Fact]
        public void An_old_flannel_without_vni_leaves_vni_unknown_and_is_not_a_problem()
        {
            NodeFacts facts = Nodes.VxlanAgent();
            facts = facts with { Annotations = Nodes.With(facts, NodeAnnotations.FlannelBackendData, "{\"VtepMAC\":\"02:42:ac:11:00:05\"}") };

            K3sNode node = NodeParser.Parse(facts);

            Assert.Null(node.Vni);
            Assert.Equal("02:42:ac:11:00:05", node.VtepMac);
            Assert.Empty(node.Problems);
        }

        [Fact]
        public void A_vni_other_than_1_on_linux_is_a_problem_but_4096_on_windows_is_not()
        {
            NodeFacts facts = Nodes.VxlanAgent();
            facts = facts with { Annotations = Nodes.With(facts, NodeAnnotations.FlannelBackendData, "{\"VNI\":4096,\"VtepMAC\":\"02:42:ac:11:00:05\"}") };
            NodeFacts windows = facts with { Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" }, OperatingSystem = "windows" };

            Assert.Contains(NodeParser.Parse(facts).Problems, p => p.Contains("VNI is 4096", System.StringComparison.Ordinal));
            Assert.Empty(NodeParser.Parse(windows).Problems);
        }

        [Fact]
        public void Unparsable_backend_data_is_a_problem_and_the_node_is_still_parsed()
        {
            NodeFacts facts = Nodes.VxlanAgent();
            facts = facts with { Annotations = Nodes.With(facts, NodeAnnotations.FlannelBackendData, "{\"VNI\":1,") };

            K3sNode node = NodeParser.Parse(facts);

            Assert.Equal("10.0.1.21", node.InternalIP);
            Assert.Null(node.VtepMac);
            Assert.Contains(node.Problems, p => p.Contains("backend-data is not valid JSON", System.StringComparison.Ordinal));
        }

        [Fact]
        public void Host_gw_dual_stack_reads_both_families_and_has_no_vtep()
        {
            NodeFacts facts = Nodes.VxlanAgent("gw", "192.168.139.2", "10.42.5.0/24") with
            {
                Annotations = new Dictionary<string, string>
                {
                    [NodeAnnotations.FlannelBackendType] = "host-gw",
                    [NodeAnnotations.FlannelBackendData] = "null",
                    [NodeAnnotations.FlannelPublicIP] = "192.168.139.2",
                    [NodeAnnotations.FlannelPublicIPv6] = "fd07:b51a:cc66::2",
                    [NodeAnnotations.K3sInternalIP] = "192.168.139.2,fd07:b51a:cc66::2",
                },
                Addresses = new[] { new NodeAddressFact("InternalIP", "192.168.139.2"), new NodeAddressFact("InternalIP", "fd07:b51a:cc66::2") },
                PodCidrs = new[] { "10.42.5.0/24", "2001:cafe:42:5::/64" },
            };

            K3sNode node = NodeParser.Parse(facts);

            Assert.Equal(FlannelBackend.HostGw, node.FlannelBackend);
            Assert.Equal("192.168.139.2", node.InternalIP);
            Assert.Equal("fd07:b51a:cc66::2", node.InternalIPv6);
            Assert.Equal("fd07:b51a:cc66::2", node.FlannelPublicIPv6);
            Assert.Equal("10.42.5.0/24", node.PodCidr);
            Assert.Null(node.VtepAddress);
            Assert.Empty(node.Problems);
        }

        [Fact]
        public void The_internal_ip_falls_back_to_the_k3s_annotation_when_status_has_none()
        {
            K3sNode node = NodeParser.Parse(Nodes.VxlanAgent() with { Addresses = new[] { new NodeAddressFact("Hostname", "agent") } });

            Assert.Equal("10.0.1.21", node.InternalIP);
        }

        [Fact]
        public void A_public_ip_that_is_not_the_nodes_is_a_problem()
        {
            NodeFacts facts = Nodes.VxlanAgent();
            facts = facts with { Annotations = Nodes.With(facts, NodeAnnotations.FlannelPublicIP, "172.17.0.1") };

            Assert.Contains(NodeParser.Parse(facts).Problems, p => p.Contains("172.17.0.1 is not among the node's addresses", System.StringComparison.Ordinal));
        }

        [Fact]
        public void A_public_ip_overwrite_without_flannel_external_ip_is_a_problem_that_says_how_to_remove_it()
        {
            NodeFacts facts = Nodes.VxlanAgent("a2");
            facts = facts with { Annotations = Nodes.With(facts, NodeAnnotations.FlannelPublicIPOverwrite, "203.0.113.25") };

            string problem = Assert.Single(NodeParser.Parse(facts).Problems);

            Assert.Contains("--flannel-external-ip", problem);
            Assert.Contains("kubectl annotate node a2 flannel.alpha.coreos.com/public-ip-overwrite-", problem);
        }

        [Fact]
        public void A_public_ip_overwrite_with_flannel_external_ip_is_intended()
        {
            NodeFacts facts = Nodes.VxlanAgent("edge", "10.0.2.40");
            var annotations = new Dictionary<string, string>(facts.Annotations)
            {
                [NodeAnnotations.FlannelPublicIPOverwrite] = "198.51.100.40",
                [NodeAnnotations.FlannelPublicIP] = "198.51.100.40",
                [NodeAnnotations.K3sExternalIP] = "198.51.100.40",
                [NodeAnnotations.K3sNodeArgs] = "[\"agent\",\"--node-external-ip\",\"198.51.100.40\",\"--flannel-external-ip\"]",
            };

            K3sNode node = NodeParser.Parse(facts with { Annotations = annotations });

            Assert.Empty(node.Problems);
            Assert.Equal("198.51.100.40", node.ExternalIP);
        }

        [Fact]
        public void A_not_ready_node_says_why()
        {
            NodeFacts facts = Nodes.VxlanAgent() with
            {
                Conditions = new[] { new NodeConditionFact("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.") },
            };

            K3sNode node = NodeParser.Parse(facts);

            Assert.False(node.Ready);
            Assert.Equal("NotReady (Ready is Unknown): NodeStatusUnknown: Kubelet stopped posting node status.", Assert.Single(node.Problems));
        }

        [Fact]
        public void A_node_without_pod_cidr_is_a_problem_and_has_no_vtep_address()
        {
            K3sNode node = NodeParser.Parse(Nodes.VxlanAgent() with { PodCidrs = System.Array.Empty<string>() });

            Assert.Null(node.PodCidr);
            Assert.Null(node.VtepAddress);
            Assert.Contains(node.Problems, p => p.StartsWith("No podCIDR", System.StringComparison.Ordinal));
        }

        [Fact]
        public void A_node_without_flannel_annotations_has_no_backend_and_no_problem_for_it()
        {
            NodeFacts facts = Nodes.VxlanAgent() with
            {
                Annotations = new Dictionary<string, string> { [NodeAnnotations.K3sInternalIP] = "10.0.1.21" },
            };

            K3sNode node = NodeParser.Parse(facts);

            Assert.Null(node.FlannelBackend);
            Assert.Null(node.VtepAddress);
            Assert.Empty(node.Problems);
        }
    }
}
