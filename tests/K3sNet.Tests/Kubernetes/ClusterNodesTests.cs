using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    public sealed class ClusterNodesTests
    {
        [Fact]
        public void Two_nodes_with_one_public_ip_both_get_the_problem_naming_the_other()
        {
            NodeFacts a = Nodes.VxlanAgent("a", "10.0.1.21");
            NodeFacts b = Nodes.VxlanAgent("b", "10.0.1.22", "10.42.2.0/24");
            b = b with { Annotations = Nodes.With(b, NodeAnnotations.FlannelPublicIP, "10.0.1.21") };

            IReadOnlyList<K3sNode> nodes = ClusterNodes.Parse(new[] { a, b }, Array.Empty<ClusterDnsPod>());

            Assert.Contains(nodes[0].Problems, p => p.Contains("10.0.1.21 is also the public-ip of b", StringComparison.Ordinal));
            Assert.Contains(nodes[1].Problems, p => p.Contains("10.0.1.21 is also the public-ip of a", StringComparison.Ordinal));
        }

        [Fact]
        public void The_node_whose_backend_differs_from_the_servers_gets_the_problem()
        {
            NodeFacts server = Nodes.Server("s", args: Array.Empty<string>());
            NodeFacts gw = Nodes.VxlanAgent("gw", "10.0.1.30", "10.42.3.0/24");
            gw = gw with { Annotations = Nodes.With(gw, NodeAnnotations.FlannelBackendType, "host-gw") };
            // Two host-gw agents outnumber the server, but flannel options are set on servers.
            NodeFacts gw2 = gw with { Name = "gw2" };

            IReadOnlyList<K3sNode> nodes = ClusterNodes.Parse(new[] { server, gw, gw2 }, Array.Empty<ClusterDnsPod>());

            Assert.Empty(nodes[0].Problems);
            Assert.Contains(nodes[1].Problems, p => p.Contains("host-gw while the cluster runs vxlan", StringComparison.Ordinal));
        }

        [Fact]
        public void Hosts_cluster_dns_is_true_where_a_live_coredns_pod_is_scheduled()
        {
            var facts = new[] { Nodes.VxlanAgent("a"), Nodes.VxlanAgent("b", "10.0.1.22", "10.42.2.0/24"), Nodes.VxlanAgent("c", "10.0.1.23", "10.42.3.0/24") };
            var pods = new[] { new ClusterDnsPod("coredns-1", "b", "Running"), new ClusterDnsPod("coredns-old", "c", "Failed"), new ClusterDnsPod("pending", null, "Pending") };

            IReadOnlyList<K3sNode> nodes = ClusterNodes.Parse(facts, pods);

            Assert.Equal(new[] { false, true, false }, nodes.Select(n => n.HostsClusterDns));
        }
    }
}
