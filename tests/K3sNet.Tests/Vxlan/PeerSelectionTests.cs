using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class PeerSelectionTests
    {
        private static K3sNode Node(string name, string ip, int index, FlannelBackend? backend = FlannelBackend.Vxlan) => new()
        {
            Name = name,
            InternalIP = ip,
            FlannelPublicIP = ip,
            FlannelBackend = backend,
            PodCidr = $"10.42.{index}.0/24",
            VtepAddress = $"10.42.{index}.0",
            VtepMac = $"02:00:00:00:00:0{index}",
            Vni = 1,
        };

        private static readonly K3sNode[] Cluster = { Node("node-a", "10.0.1.10", 0), Node("node-b", "10.0.1.11", 1), Node("node-c", "10.0.1.12", 2) };

        private static HashSet<IPAddress> Addresses(params string[] addresses) => addresses.Select(IPAddress.Parse).ToHashSet();

        [Fact]
        public void The_node_with_one_of_this_hosts_addresses_is_local_and_the_others_are_peers()
        {
            var selection = PeerSelection.FromNodes(Cluster, Addresses("127.0.0.1", "10.0.1.11", "10.42.1.0"), null);
            Assert.Equal("node-b", selection.Local?.Name);
            Assert.Equal(new[] { "node-a", "node-c" }, selection.Peers.Select(p => p.Name));
            VxlanPeer nodeC = selection.Peers[1];
            Assert.Equal(IPAddress.Parse("10.0.1.12"), nodeC.UnderlayAddress);
            Assert.Equal(IPAddress.Parse("10.42.2.0"), nodeC.VtepAddress);
            Assert.Equal("02:00:00:00:00:02", nodeC.VtepMac);
        }

        [Fact]
        public void LocalNode_names_the_local_node_whatever_the_addresses()
        {
            var selection = PeerSelection.FromNodes(Cluster, Addresses("10.0.1.11"), "NODE-C");
            Assert.Equal("node-c", selection.Local?.Name);
            Assert.Equal(new[] { "node-a", "node-b" }, selection.Peers.Select(p => p.Name));
        }

        [Fact]
        public void Without_a_local_address_every_node_is_a_peer()
        {
            var selection = PeerSelection.FromNodes(Cluster, Addresses("192.0.2.7"), null);
            Assert.Null(selection.Local);
            Assert.Equal(3, selection.Peers.Count);
        }

        [Fact]
        public void VXLAN_goes_to_the_public_ip_annotation_and_the_VTEP_is_the_pod_subnet_base()
        {
            var node = Node("node-x", "10.0.1.20", 7);
            node.FlannelPublicIP = "203.0.113.20";
            node.VtepAddress = null;
            Assert.True(PeerSelection.TryCreatePeer(node, out VxlanPeer? peer, out _));
            Assert.Equal(IPAddress.Parse("203.0.113.20"), peer!.UnderlayAddress);
            Assert.Equal(IPAddress.Parse("10.42.7.0"), peer.VtepAddress);
        }

        [Fact]
        public void A_node_with_a_malformed_address_is_set_aside_with_the_problem()
        {
            var bad = Node("node-x", "10.0.1.20", 7);
            bad.FlannelPublicIP = "not-an-ip";
            var selection = PeerSelection.FromNodes(Cluster.Append(bad), Addresses("10.0.1.10"), null);
            var (node, problem) = Assert.Single(selection.Invalid);
            Assert.Same(bad, node);
            Assert.Contains("'not-an-ip'", problem);
            Assert.Equal(2, selection.Peers.Count);
        }

        [Fact]
        public void A_node_with_an_IPv6_address_is_set_aside_saying_flannel_1_is_IPv4()
        {
            var v6 = Node("node-x", "10.0.1.20", 7);
            v6.FlannelPublicIP = "fd00::20";
            var selection = PeerSelection.FromNodes(Cluster.Append(v6), Addresses("10.0.1.10"), null);
            var (node, problem) = Assert.Single(selection.Invalid);
            Assert.Same(v6, node);
            Assert.Contains("IPv6 address where Test-K3sVxlan needs IPv4", problem);
            Assert.Contains("'fd00::20'", problem);
            Assert.DoesNotContain(selection.Peers, p => p.Name == "node-x");
        }

        [Fact]
        public void A_node_on_another_backend_is_not_a_peer_and_gets_a_NotTested_result()
        {
            var hostGw = Node("node-h", "10.0.1.30", 9, FlannelBackend.HostGw);
            var selection = PeerSelection.FromNodes(Cluster.Append(hostGw), Addresses("10.0.1.10"), null);
            Assert.Same(hostGw, Assert.Single(selection.OtherBackends));
            Assert.DoesNotContain(selection.Peers, p => p.Name == "node-h");
            VxlanPathResult result = PeerSelection.NotOnVxlan("node-a", hostGw);
            Assert.Equal(VxlanVerdict.NotTested, result.Verdict);
            Assert.Equal("10.0.1.30", result.DestinationAddress);
            Assert.Contains("HostGw backend", result.Reason);
        }

        /// <summary>A resolver that knows <paramref name="known"/> and answers like Dns for any other name: a SocketException.</summary>
        private sealed class Resolver
        {
            private readonly Dictionary<string, IPAddress[]> _known;

            public Resolver(Dictionary<string, IPAddress[]> known) => _known = known;

            public List<string> Asked { get; } = new();

            public Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken)
            {
                Asked.Add(name);
                return _known.TryGetValue(name, out IPAddress[]? addresses)
                    ? Task.FromResult(addresses)
                    : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
            }
        }

        private static readonly Resolver LabDns = new(new Dictionary<string, IPAddress[]>
        {
            ["node-b.lab"] = new[] { IPAddress.Parse("10.0.1.11"), IPAddress.Parse("10.0.9.11") },
            ["node-c.lab"] = new[] { IPAddress.Parse("10.0.1.12") },
            ["no-address.lab"] = Array.Empty<IPAddress>(),
        });

        private static Task<PeerSelection> FromComputerNames(string[] names, params string[] vteps) =>
            PeerSelection.FromComputerNamesAsync(names, vteps.Select(IPAddress.Parse).ToArray(), LabDns.ResolveAsync, CancellationToken.None);

        [Fact]
        public async Task Computer_names_resolve_to_their_first_IPv4_address_and_addresses_are_taken_as_they_are()
        {
            var resolver = new Resolver(new Dictionary<string, IPAddress[]> { ["node-b.lab"] = new[] { IPAddress.Parse("10.0.1.11"), IPAddress.Parse("10.0.9.11") } });
            PeerSelection selection = await PeerSelection.FromComputerNamesAsync(
                new[] { "10.0.1.10", "node-b.lab" }, Array.Empty<IPAddress>(), resolver.ResolveAsync, CancellationToken.None);

            Assert.Equal(new[] { "10.0.1.10", "node-b.lab" }, selection.Peers.Select(p => p.Name));
            Assert.Equal(new[] { IPAddress.Parse("10.0.1.10"), IPAddress.Parse("10.0.1.11") }, selection.Peers.Select(p => p.UnderlayAddress));
            // Without -VtepAddress the kernel mode finds the VTEP in flannel.1's entries; nothing is guessed here.
            Assert.All(selection.Peers, p => Assert.Null(p.VtepAddress));
            Assert.Equal(new[] { "node-b.lab" }, resolver.Asked);
            Assert.Empty(selection.Unresolved);
            Assert.Null(selection.Local);
        }

        [Fact]
        public async Task Names_that_do_not_resolve_are_set_aside_in_order_and_the_others_are_still_peers()
        {
            PeerSelection selection = await FromComputerNames(new[] { "nowhere.lab", "node-c.lab", "no-address.lab" });
            Assert.Equal(new[] { "nowhere.lab", "no-address.lab" }, selection.Unresolved);
            VxlanPeer peer = Assert.Single(selection.Peers);
            Assert.Equal("node-c.lab", peer.Name);
            Assert.Equal(IPAddress.Parse("10.0.1.12"), peer.UnderlayAddress);
        }

        [Fact]
        public async Task An_IPv6_literal_is_set_aside_like_a_name_without_an_IPv4_address()
        {
            PeerSelection selection = await FromComputerNames(new[] { "fd00::12", "10.0.1.12" });
            Assert.Equal(new[] { "fd00::12" }, selection.Unresolved);
            Assert.Equal("10.0.1.12", Assert.Single(selection.Peers).Name);
        }

        [Fact]
        public async Task VtepAddress_pairs_with_the_computer_name_at_the_same_index_even_when_an_earlier_name_does_not_resolve()
        {
            PeerSelection selection = await FromComputerNames(new[] { "nowhere.lab", "node-b.lab", "10.0.1.12" }, "10.42.9.0", "10.42.1.0", "10.42.2.0");
            Assert.Equal(new[] { "node-b.lab", "10.0.1.12" }, selection.Peers.Select(p => p.Name));
            Assert.Equal(new[] { IPAddress.Parse("10.42.1.0"), IPAddress.Parse("10.42.2.0") }, selection.Peers.Select(p => p.VtepAddress));
        }

        [Fact]
        public async Task A_VtepAddress_count_that_differs_from_the_names_is_refused_before_any_lookup()
        {
            var resolver = new Resolver(new Dictionary<string, IPAddress[]>());
            await Assert.ThrowsAsync<ArgumentException>(() => PeerSelection.FromComputerNamesAsync(
                new[] { "node-b.lab", "node-c.lab" }, new[] { IPAddress.Parse("10.42.1.0") }, resolver.ResolveAsync, CancellationToken.None));
            Assert.Empty(resolver.Asked);
        }

        [Fact]
        public async Task An_address_of_this_host_given_as_a_computer_name_is_still_a_peer()
        {
            // The probe preflight may test a responder on this very host; only nodes can name the local node.
            PeerSelection selection = await FromComputerNames(new[] { "127.0.0.1" });
            Assert.Equal(IPAddress.Loopback, Assert.Single(selection.Peers).UnderlayAddress);
            Assert.Null(selection.Local);
        }

        [Fact]
        public void VtepAddress_alone_makes_peers_named_by_their_VTEP_with_the_underlay_left_to_flannels_entries()
        {
            PeerSelection selection = PeerSelection.FromVtepAddresses(new[] { IPAddress.Parse("10.42.1.0"), IPAddress.Parse("10.42.2.0") });
            Assert.Equal(new[] { "10.42.1.0", "10.42.2.0" }, selection.Peers.Select(p => p.Name));
            Assert.Equal(new[] { IPAddress.Parse("10.42.1.0"), IPAddress.Parse("10.42.2.0") }, selection.Peers.Select(p => p.VtepAddress));
            Assert.All(selection.Peers, p => Assert.Null(p.UnderlayAddress));
            Assert.Null(selection.Local);
        }

        [Fact]
        public void This_hosts_real_addresses_include_loopback_so_a_node_on_127_0_0_1_is_local()
        {
            var selection = PeerSelection.FromNodes(new[] { Node("here", "127.0.0.1", 0), Node("node-b", "192.0.2.11", 1) }, ThisHost.Addresses(), null);
            Assert.Equal("here", selection.Local?.Name);
            Assert.Equal("node-b", Assert.Single(selection.Peers).Name);
        }
    }
}
