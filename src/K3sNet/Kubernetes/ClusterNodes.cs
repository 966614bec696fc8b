using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Parses every node of a cluster and adds what only the whole cluster shows: a public-ip two nodes claim, a node
    /// whose backend differs from the cluster's, and which nodes host CoreDNS.
    /// </summary>
    internal static class ClusterNodes
    {
        public static IReadOnlyList<K3sNode> Parse(IEnumerable<NodeFacts> nodes, IEnumerable<ClusterDnsPod> clusterDnsPods)
        {
            ArgumentNullException.ThrowIfNull(nodes);
            ArgumentNullException.ThrowIfNull(clusterDnsPods);
            List<K3sNode> parsed = nodes.Select(NodeParser.Parse).ToList();

            var dnsHosts = new HashSet<string>(
                clusterDnsPods.Where(p => p.NodeName is not null && p.Phase is not ("Succeeded" or "Failed")).Select(p => p.NodeName!),
                StringComparer.Ordinal);
            var extra = parsed.ToDictionary(n => n, _ => new List<string>());

            foreach (K3sNode node in parsed)
            {
                node.HostsClusterDns = dnsHosts.Contains(node.Name);
            }

            foreach (IGrouping<string, K3sNode> shared in parsed
                .SelectMany(n => new[] { n.FlannelPublicIP, n.FlannelPublicIPv6 }.Where(ip => ip is not null).Select(ip => (Ip: ip!, Node: n)))
                .GroupBy(x => x.Ip, x => x.Node, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1))
            {
                foreach (K3sNode node in shared)
                {
                    string others = string.Join(", ", shared.Where(n => n != node).Select(n => n.Name));
                    extra[node].Add($"flannel public-ip {shared.Key} is also the public-ip of {others}: peers cannot tell their VTEPs apart.");
                }
            }

            if (ClusterBackend.Infer(parsed) is FlannelBackend cluster)
            {
                foreach (K3sNode node in parsed.Where(n => n.FlannelBackend is FlannelBackend b && b != cluster))
                {
                    extra[node].Add($"Runs flannel backend {node.FlannelBackend!.Value.ToK3sName()} while the cluster runs {cluster.ToK3sName()}: "
                        + "pod traffic between them cannot flow. Set the same --flannel-backend on every server and restart k3s.");
                }
            }

            foreach (K3sNode node in parsed.Where(n => extra[n].Count > 0))
            {
                node.Problems = node.Problems.Concat(extra[node]).ToArray();
            }

            return parsed;
        }
    }
}
