using System.Collections.Generic;
using System.Linq;
using System.Net;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    /// <summary>The probe namespace's address and names: never one a pod or the bridge has, and recognisable later.</summary>
    public sealed class PodProbeAddressTests
    {
        private static string[] Candidates(string cidr, params string[] taken) =>
            PodProbeAddress.Candidates(cidr, taken.Select(IPAddress.Parse).ToHashSet()).Select(a => a.ToString()).ToArray();

        [Fact]
        public void The_first_candidate_is_the_top_of_the_podCIDR_below_its_broadcast_where_host_local_IPAM_allocates_last()
        {
            Assert.Equal(["10.42.1.254", "10.42.1.253"], Candidates("10.42.1.0/24").Take(2));
        }

        [Fact]
        public void An_address_with_a_neighbour_entry_or_reservation_is_refused_and_the_next_one_down_is_offered()
        {
            Assert.Equal("10.42.1.252", Candidates("10.42.1.0/24", "10.42.1.254", "10.42.1.253")[0]);
        }

        [Fact]
        public void Only_the_top_sixteen_are_tried_so_a_full_range_gives_none_rather_than_an_address_low_in_it()
        {
            string[] top = Enumerable.Range(239, 16).Select(i => $"10.42.1.{i}").ToArray();
            Assert.Equal(16, Candidates("10.42.1.0/24").Length);
            Assert.Empty(Candidates("10.42.1.0/24", top));
        }

        [Fact]
        public void A_small_range_never_offers_the_network_the_gateway_or_the_broadcast()
        {
            // 10.42.1.0/29: .0 network, .1 cni0, .7 broadcast.
            Assert.Equal(["10.42.1.6", "10.42.1.5", "10.42.1.4", "10.42.1.3", "10.42.1.2"], Candidates("10.42.1.0/29"));
            Assert.Empty(Candidates("10.42.1.0/31"));
        }

        [Theory]
        [InlineData("fd00::/64")]
        [InlineData("10.42.1.0")]
        [InlineData("not a cidr/24")]
        public void A_podCIDR_that_is_not_IPv4_with_a_prefix_gives_no_candidate(string cidr)
        {
            Assert.Empty(Candidates(cidr));
        }

        [Fact]
        public void A_neighbour_without_a_link_layer_address_failed_to_resolve_and_does_not_count_as_taken()
        {
            const string json = """
                [{"dst":"10.42.1.2","dev":"cni0","lladdr":"aa:bb:cc:dd:ee:01","state":["REACHABLE"]},
                 {"dst":"10.42.1.254","dev":"cni0","state":["FAILED"]}]
                """;
            Assert.Equal([IPAddress.Parse("10.42.1.2")], PodProbeNamespace.ResolvedNeighbours(json));
            Assert.Empty(PodProbeNamespace.ResolvedNeighbours(""));
        }

        [Fact]
        public void The_names_carry_the_process_id_so_a_later_run_removes_only_what_a_process_that_is_gone_left()
        {
            (string ns, string veth) = PodProbeNames.For(4194304);
            Assert.StartsWith("k3snet-probe-4194304-", ns);
            Assert.True(veth.Length <= 15, $"'{veth}' is longer than an interface name may be");
            Assert.Equal(4194304, PodProbeNames.ProcessOfNamespace(ns));
            Assert.Equal(4194304, PodProbeNames.ProcessOfVeth(veth));
            Assert.Null(PodProbeNames.ProcessOfNamespace("k3l-node-a"));
            Assert.Null(PodProbeNames.ProcessOfVeth("veth1234abcd"));
            Assert.Null(PodProbeNames.ProcessOfNamespace("k3snet-probe-x-abcd"));
        }
    }
}
