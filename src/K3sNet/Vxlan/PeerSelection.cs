using System;
using System.Collections.Generic;
using System.Net;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Which of the given nodes is this host, which are peers to test, and which cannot be tested: the first step of
    /// Test-K3sVxlan with nodes, kept apart from the cmdlet so the rules are unit-tested.
    /// </summary>
    internal sealed class PeerSelection
    {
        private PeerSelection(List<VxlanPeer> peers, VxlanPeer? local, List<K3sNode> otherBackends, List<(K3sNode Node, string Problem)> invalid)
        {
            Peers = peers;
            Local = local;
            OtherBackends = otherBackends;
            Invalid = invalid;
        }

        /// <summary>The nodes to test, in the order given.</summary>
        public IReadOnlyList<VxlanPeer> Peers { get; }

        /// <summary>The node this runs on, when one of the nodes is it.</summary>
        public VxlanPeer? Local { get; }

        /// <summary>Nodes whose annotations name another flannel backend: they have no VXLAN path.</summary>
        public IReadOnlyList<K3sNode> OtherBackends { get; }

        /// <summary>Nodes whose addresses are not IP addresses, with what is wrong.</summary>
        public IReadOnlyList<(K3sNode Node, string Problem)> Invalid { get; }

        /// <summary>
        /// Sorts <paramref name="nodes"/>. The local node is the one named <paramref name="localNodeName"/>, or else
        /// the first whose flannel public-ip or InternalIP is one of <paramref name="localAddresses"/>.
        /// </summary>
        public static PeerSelection FromNodes(IEnumerable<K3sNode> nodes, IReadOnlySet<IPAddress> localAddresses, string? localNodeName)
        {
            var peers = new List<VxlanPeer>();
            var otherBackends = new List<K3sNode>();
            var invalid = new List<(K3sNode, string)>();
            VxlanPeer? local = null;
            foreach (K3sNode node in nodes)
            {
                if (!TryCreatePeer(node, out VxlanPeer? peer, out string? problem))
                {
                    invalid.Add((node, problem!));
                    continue;
                }

                bool isLocal = localNodeName is not null
                    ? string.Equals(node.Name, localNodeName, StringComparison.OrdinalIgnoreCase)
                    : (peer!.UnderlayAddress is not null && localAddresses.Contains(peer.UnderlayAddress))
                        || (IPAddress.TryParse(node.InternalIP, out IPAddress? internalIp) && localAddresses.Contains(internalIp));
                if (isLocal && local is null)
                {
                    local = peer;
                }
                else if (node.FlannelBackend is FlannelBackend backend && backend != FlannelBackend.Vxlan)
                {
                    otherBackends.Add(node);
                }
                else
                {
                    peers.Add(peer!);
                }
            }

            return new PeerSelection(peers, local, otherBackends, invalid);
        }

        /// <summary>
        /// A peer from a node's facts: VXLAN goes to its flannel public-ip (else its InternalIP); its VTEP address is
        /// the base of its pod subnet.
        /// </summary>
        public static bool TryCreatePeer(K3sNode node, out VxlanPeer? peer, out string? problem)
        {
            peer = null;
            string? underlayText = node.FlannelPublicIP ?? node.InternalIP;
            string? vtepText = node.VtepAddress ?? node.PodCidr?.Split('/')[0];
            IPAddress? underlay = null, vtep = null;
            if ((underlayText is not null && !IPAddress.TryParse(underlayText, out underlay))
                || (vtepText is not null && !IPAddress.TryParse(vtepText, out vtep)))
            {
                problem = $"Node {node.Name} has an address that is not an IP address (public-ip or InternalIP '{underlayText}', VTEP '{vtepText}').";
                return false;
            }

            problem = null;
            peer = new VxlanPeer(node.Name, underlay, vtep, node.VtepMac, node.PodCidr, node.Vni, node.HostsClusterDns);
            return true;
        }

        /// <summary>The result for a node on another backend: nothing to test, and why.</summary>
        public static VxlanPathResult NotOnVxlan(string source, K3sNode node) => new()
        {
            Source = source,
            Destination = node.Name,
            DestinationAddress = node.FlannelPublicIP ?? node.InternalIP,
            Verdict = VxlanVerdict.NotTested,
            Reason = $"{node.Name} runs flannel's {node.FlannelBackend} backend, which carries no VXLAN: there is no UDP 8472 path to test.",
        };
    }
}
