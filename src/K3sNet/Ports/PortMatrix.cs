using System;
using System.Collections.Generic;

namespace K3sNet.Ports
{
    /// <summary>
    /// The k3s inbound rules (docs.k3s.io, installation/requirements, "Inbound Rules for K3s Nodes"), in the docs' row
    /// order, and which of them a given cluster needs.
    /// </summary>
    internal static class PortMatrix
    {
        private const string Always = "Always";

        private static readonly Row[] Rows =
        {
            new(TrafficProtocol.Tcp, 2379, 2380, NodeScope.Servers, NodeScope.Servers,
                "etcd client and peer traffic", "HA with embedded etcd",
                ClusterOnly: true, Family: FamilyRule.Cluster, AppliesTo: o => o.EmbeddedEtcd),
            new(TrafficProtocol.Tcp, 6443, 6443, NodeScope.Agents, NodeScope.Servers,
                "K3s supervisor and Kubernetes API Server", Always,
                ClusterOnly: false, Family: FamilyRule.Cluster, AppliesTo: _ => true),
            new(TrafficProtocol.Udp, 8472, 8472, NodeScope.AllNodes, NodeScope.AllNodes,
                "Flannel VXLAN overlay (pod-to-pod traffic between nodes)", "Flannel backend vxlan",
                ClusterOnly: true, Family: FamilyRule.Cluster, AppliesTo: o => o.FlannelBackend == FlannelBackend.Vxlan),
            new(TrafficProtocol.All, 0, 65535, NodeScope.AllNodes, NodeScope.AllNodes,
                "Pod-to-pod traffic routed between nodes without encapsulation",
                "Flannel backend host-gw: all nodes on one subnet, and on AWS the EC2 source/destination check off",
                ClusterOnly: true, Family: FamilyRule.Cluster, AppliesTo: o => o.FlannelBackend == FlannelBackend.HostGw),
            new(TrafficProtocol.Tcp, 10250, 10250, NodeScope.AllNodes, NodeScope.AllNodes,
                "Kubelet metrics and API", Always,
                ClusterOnly: true, Family: FamilyRule.Cluster, AppliesTo: _ => true),
            new(TrafficProtocol.Udp, 51820, 51820, NodeScope.AllNodes, NodeScope.AllNodes,
                "Flannel WireGuard tunnel over IPv4", "Flannel backend wireguard-native",
                ClusterOnly: true, Family: FamilyRule.IPv4Only, AppliesTo: o => o.FlannelBackend == FlannelBackend.WireguardNative),
            new(TrafficProtocol.Udp, 51821, 51821, NodeScope.AllNodes, NodeScope.AllNodes,
                "Flannel WireGuard tunnel over IPv6", "Flannel backend wireguard-native, dual-stack",
                ClusterOnly: true, Family: FamilyRule.IPv6Only,
                AppliesTo: o => o.FlannelBackend == FlannelBackend.WireguardNative && o.IPv6),
            new(TrafficProtocol.Tcp, 5001, 5001, NodeScope.AllNodes, NodeScope.AllNodes,
                "Embedded distributed registry (Spegel) peer-to-peer", "Embedded registry",
                ClusterOnly: true, Family: FamilyRule.Cluster, AppliesTo: o => o.EmbeddedRegistry),
            new(TrafficProtocol.Tcp, 6443, 6443, NodeScope.AllNodes, NodeScope.AllNodes,
                "Embedded distributed registry (Spegel): every node serves it on the supervisor port", "Embedded registry",
                ClusterOnly: false, Family: FamilyRule.Cluster, AppliesTo: o => o.EmbeddedRegistry),
        };

        /// <summary>The rules the described cluster needs, in the order the k3s docs list them.</summary>
        public static IReadOnlyList<PortRequirement> For(PortMatrixOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            IPFamilies clusterFamilies = options.IPv6 ? IPFamilies.IPv4 | IPFamilies.IPv6 : IPFamilies.IPv4;

            var requirements = new List<PortRequirement>(Rows.Length);
            foreach (Row row in Rows)
            {
                if (!row.AppliesTo(options))
                {
                    continue;
                }

                if (options.Role is K3sRole role && !row.Destination.Includes(role))
                {
                    continue;
                }

                IPFamilies family = row.Family switch
                {
                    FamilyRule.IPv4Only => IPFamilies.IPv4,
                    FamilyRule.IPv6Only => IPFamilies.IPv6,
                    _ => clusterFamilies,
                };

                requirements.Add(new PortRequirement(
                    row.Protocol, row.FromPort, row.ToPort, row.Source, row.Destination,
                    row.Purpose, row.Condition, row.ClusterOnly, family));
            }

            return requirements;
        }

        /// <summary>How a row's address families follow from the cluster's.</summary>
        private enum FamilyRule
        {
            /// <summary>The cluster's families: IPv4, plus IPv6 when dual-stack.</summary>
            Cluster,
            IPv4Only,
            IPv6Only,
        }

        private sealed record Row(
            TrafficProtocol Protocol,
            int FromPort,
            int ToPort,
            NodeScope Source,
            NodeScope Destination,
            string Purpose,
            string Condition,
            bool ClusterOnly,
            FamilyRule Family,
            Func<PortMatrixOptions, bool> AppliesTo);
    }
}
