using System;

namespace K3sNet
{
    /// <summary>
    /// One k3s node as its Kubernetes Node object describes it: addresses, roles, and what flannel published about its
    /// VXLAN endpoint. Addresses are strings in their usual text form so the object reads well as JSON in a runbook;
    /// parameters that take them are typed <see cref="System.Net.IPAddress"/> and convert from these strings.
    /// </summary>
    public sealed class K3sNode
    {
        public string Name { get; set; } = string.Empty;

        /// <summary>Role names from the node-role.kubernetes.io labels (control-plane, master, etcd); empty for an agent.</summary>
        public string[] Roles { get; set; } = Array.Empty<string>();

        public bool IsServer { get; set; }

        /// <summary>The node runs embedded etcd (the etcd role label): servers must admit TCP 2379-2380 from each other.</summary>
        public bool EmbeddedEtcd { get; set; }

        /// <summary>k3s runs with --embedded-registry (from k3s.io/node-args): nodes must admit TCP 5001 and 6443.</summary>
        public bool EmbeddedRegistry { get; set; }

        /// <summary>The node's InternalIP (IPv4 when it has one).</summary>
        public string? InternalIP { get; set; }

        /// <summary>The node's IPv6 InternalIP on a dual-stack cluster.</summary>
        public string? InternalIPv6 { get; set; }

        public string? ExternalIP { get; set; }

        public FlannelBackend? FlannelBackend { get; set; }

        /// <summary>flannel's public-ip annotation: the address peers send VXLAN to.</summary>
        public string? FlannelPublicIP { get; set; }

        /// <summary>flannel's public-ipv6 annotation on a dual-stack cluster.</summary>
        public string? FlannelPublicIPv6 { get; set; }

        /// <summary>The MAC address of the node's flannel.1, from backend-data (lower case, colon separated).</summary>
        public string? VtepMac { get; set; }

        /// <summary>The VXLAN network identifier from backend-data; null when an old flannel did not publish it.</summary>
        public int? Vni { get; set; }

        /// <summary>The node's IPv4 pod subnet, such as 10.42.1.0/24.</summary>
        public string? PodCidr { get; set; }

        /// <summary>The flannel.1 address: the base address of <see cref="PodCidr"/>.</summary>
        public string? VtepAddress { get; set; }

        public string? ProviderId { get; set; }

        /// <summary>The EC2 instance id when the provider id names one.</summary>
        public string? InstanceId { get; set; }

        public string? AvailabilityZone { get; set; }

        public string? K3sVersion { get; set; }

        public string? KernelVersion { get; set; }

        public string? OSImage { get; set; }

        public bool Ready { get; set; }

        /// <summary>True when a CoreDNS pod runs on this node: pods elsewhere resolve names across the VXLAN path to it.</summary>
        public bool HostsClusterDns { get; set; }

        /// <summary>Inconsistencies found in the node's annotations, one sentence each.</summary>
        public string[] Problems { get; set; } = Array.Empty<string>();

        public override string ToString() => Name;
    }
}
