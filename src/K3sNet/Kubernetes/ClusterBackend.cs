using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Kubernetes
{
    /// <summary>The flannel backend a cluster runs, as its nodes publish it.</summary>
    internal static class ClusterBackend
    {
        /// <summary>
        /// The servers' backend when they agree (k3s sets flannel options on servers, for every node), else the one most
        /// nodes publish; null when no node publishes one (flannel off, or not yet started).
        /// </summary>
        public static FlannelBackend? Infer(IEnumerable<K3sNode> nodes)
        {
            List<K3sNode> withBackend = nodes.Where(n => n.FlannelBackend is not null).ToList();
            List<FlannelBackend> servers = withBackend.Where(n => n.IsServer).Select(n => n.FlannelBackend!.Value).Distinct().ToList();
            if (servers.Count == 1)
            {
                return servers[0];
            }

            return withBackend
                .GroupBy(n => n.FlannelBackend!.Value)
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key)
                .Select(g => (FlannelBackend?)g.Key)
                .FirstOrDefault();
        }
    }
}
