using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Which of the given nodes (or names and addresses) is this host, which are peers to test, and which cannot be
    /// tested: the first step of Test-K3sVxlan, kept apart from the cmdlet so the rules are unit-tested. What it asks
    /// of the host (its addresses, name resolution) comes in as arguments; <see cref="ThisHost"/> gives the real ones.
    /// </summary>
    internal sealed class PeerSelection
    {
        private PeerSelection(
            List<VxlanPeer> peers,
            VxlanPeer? local = null,
            List<K3sNode>? otherBackends = null,
            List<(K3sNode Node, string Problem)>? invalid = null,
            List<string>? unresolved = null)
        {
            Peers = peers;
            Local = local;
            OtherBackends = otherBackends ?? new List<K3sNode>();
            Invalid = invalid ?? new List<(K3sNode, string)>();
            Unresolved = unresolved ?? new List<string>();
        }

        /// <summary>The nodes to test, in the order given.</summary>
        public IReadOnlyList<VxlanPeer> Peers { get; }

        /// <summary>The node this runs on, when one of the nodes is it.</summary>
        public VxlanPeer? Local { get; }

        /// <summary>Nodes whose annotations name another flannel backend: they have no VXLAN path.</summary>
        public IReadOnlyList<K3sNode> OtherBackends { get; }

        /// <summary>Nodes whose addresses are not IPv4 addresses, with what is wrong.</summary>
        public IReadOnlyList<(K3sNode Node, string Problem)> Invalid { get; }

        /// <summary>Computer names that resolve to no IPv4 address (IPv6 literals included), in the order given.</summary>
        public IReadOnlyList<string> Unresolved { get; }

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
        /// Peers by their flannel.1 addresses alone (-VtepAddress): the kernel mode finds their underlay addresses in
        /// flannel.1's entries.
        /// </summary>
        public static PeerSelection FromVtepAddresses(IEnumerable<IPAddress> vtepAddresses) =>
            new(vtepAddresses.Select(v => new VxlanPeer(v.ToString(), null, v, null, null, null, false)).ToList());

        /// <summary>
        /// Peers by underlay address or host name (-ComputerName), each with the VTEP address at the same index when
        /// <paramref name="vtepAddresses"/> is not empty. A name that is not an address goes to
        /// <paramref name="resolveIPv4"/> (DNS, for the cmdlet), one at a time in the order given; the first address
        /// answers, and a name with none, or that the resolver fails with a SocketException, is set aside in
        /// <see cref="Unresolved"/>. An address of this host stays a peer: the probe preflight may well test a
        /// responder on this host. There is no local node: nothing here describes one.
        /// </summary>
        public static async Task<PeerSelection> FromComputerNamesAsync(
            IReadOnlyList<string> computerNames,
            IReadOnlyList<IPAddress> vtepAddresses,
            Func<string, CancellationToken, Task<IPAddress[]>> resolveIPv4,
            CancellationToken cancellationToken)
        {
            if (vtepAddresses.Count > 0 && vtepAddresses.Count != computerNames.Count)
            {
                throw new ArgumentException($"{computerNames.Count} computer name(s) but {vtepAddresses.Count} VTEP address(es).", nameof(vtepAddresses));
            }

            var peers = new List<VxlanPeer>();
            var unresolved = new List<string>();
            for (int i = 0; i < computerNames.Count; i++)
            {
                string name = computerNames[i];
                IPAddress? underlay = IPAddress.TryParse(name, out IPAddress? literal)
                    ? literal
                    : await ResolveAsync(name, resolveIPv4, cancellationToken).ConfigureAwait(false);
                // flannel.1 and the probes are IPv4: an IPv6 literal has no IPv4 address to test, like a name without one.
                if (underlay is null || underlay.AddressFamily != AddressFamily.InterNetwork)
                {
                    unresolved.Add(name);
                    continue;
                }

                IPAddress? vtep = vtepAddresses.Count > 0 ? vtepAddresses[i] : null;
                peers.Add(new VxlanPeer(name, underlay, vtep, null, null, null, false));
            }

            return new PeerSelection(peers, unresolved: unresolved);
        }

        private static async Task<IPAddress?> ResolveAsync(string name, Func<string, CancellationToken, Task<IPAddress[]>> resolveIPv4, CancellationToken cancellationToken)
        {
            try
            {
                return (await resolveIPv4(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (SocketException)
            {
                // Dns says "no such host" this way; the name is reported as unresolved, like one with no address.
                return null;
            }
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

            if ((underlay is not null && underlay.AddressFamily != AddressFamily.InterNetwork)
                || (vtep is not null && vtep.AddressFamily != AddressFamily.InterNetwork))
            {
                // The sockets and flannel.1 are IPv4 (flannel-v6.1 carries IPv6): an IPv6 address here would be judged
                // unreachable for a reason that has nothing to do with the path.
                problem = $"Node {node.Name} has an IPv6 address where Test-K3sVxlan needs IPv4: it tests flannel.1, flannel's IPv4 VXLAN path (public-ip or InternalIP '{underlayText}', VTEP '{vtepText}').";
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
