using System.Collections.Generic;
using System.Linq;
using K3sNet.Ports;

namespace K3sNet.Tests.Ports
{
    public sealed class PortMatrixTests
    {
        public static IEnumerable<object[]> EveryCluster()
        {
            foreach (FlannelBackend backend in System.Enum.GetValues<FlannelBackend>())
            {
                foreach (bool etcd in new[] { false, true })
                {
                    foreach (bool registry in new[] { false, true })
                    {
                        foreach (bool ipv6 in new[] { false, true })
                        {
                            yield return new object[] { backend, etcd, registry, ipv6 };
                        }
                    }
                }
            }
        }

        private static string Key(PortRequirement r) => $"{r.Protocol.ToString().ToLowerInvariant()}/{r.Port} {r.Source}->{r.Destination}";

        [Fact]
        public void A_plain_install_needs_the_api_server_vxlan_and_the_kubelet()
        {
            IEnumerable<string> keys = PortMatrix.For(new PortMatrixOptions()).Select(Key);

            Assert.Equal(new[] { "tcp/6443 Agents->Servers", "udp/8472 AllNodes->AllNodes", "tcp/10250 AllNodes->AllNodes" }, keys);
        }

        [Fact]
        public void Ha_wireguard_dual_stack_has_exactly_the_five_rules_and_no_vxlan()
        {
            var options = new PortMatrixOptions { EmbeddedEtcd = true, FlannelBackend = FlannelBackend.WireguardNative, IPv6 = true };

            Assert.Equal(
                new[]
                {
                    "tcp/2379-2380 Servers->Servers", "tcp/6443 Agents->Servers", "tcp/10250 AllNodes->AllNodes",
                    "udp/51820 AllNodes->AllNodes", "udp/51821 AllNodes->AllNodes",
                },
                PortMatrix.For(options).Select(Key));
        }

        [Theory]
        [MemberData(nameof(EveryCluster))]
        public void Vxlan_port_is_required_exactly_when_the_backend_is_vxlan(FlannelBackend backend, bool etcd, bool registry, bool ipv6)
        {
            var options = new PortMatrixOptions { FlannelBackend = backend, EmbeddedEtcd = etcd, EmbeddedRegistry = registry, IPv6 = ipv6 };

            bool hasVxlan = PortMatrix.For(options).Any(r => r.Protocol == TrafficProtocol.Udp && r.FromPort == 8472);

            Assert.Equal(backend == FlannelBackend.Vxlan, hasVxlan);
        }

        [Theory]
        [MemberData(nameof(EveryCluster))]
        public void Cluster_only_marks_exactly_the_ports_that_must_never_face_the_internet(FlannelBackend backend, bool etcd, bool registry, bool ipv6)
        {
            var options = new PortMatrixOptions { FlannelBackend = backend, EmbeddedEtcd = etcd, EmbeddedRegistry = registry, IPv6 = ipv6 };
            var neverPublic = new HashSet<string> { "udp/8472", "tcp/10250", "tcp/2379-2380", "tcp/5001", "udp/51820", "udp/51821", "all/all" };

            foreach (PortRequirement rule in PortMatrix.For(options))
            {
                string port = $"{rule.Protocol.ToString().ToLowerInvariant()}/{rule.Port}";
                Assert.True(neverPublic.Contains(port) == rule.ClusterOnly, $"{port}: ClusterOnly is {rule.ClusterOnly}");
            }
        }

        [Theory]
        [MemberData(nameof(EveryCluster))]
        public void A_role_keeps_exactly_the_rules_whose_destination_includes_it(FlannelBackend backend, bool etcd, bool registry, bool ipv6)
        {
            var options = new PortMatrixOptions { FlannelBackend = backend, EmbeddedEtcd = etcd, EmbeddedRegistry = registry, IPv6 = ipv6 };
            IReadOnlyList<PortRequirement> all = PortMatrix.For(options);

            foreach (K3sRole role in System.Enum.GetValues<K3sRole>())
            {
                IReadOnlyList<PortRequirement> forRole = PortMatrix.For(options with { Role = role });
                Assert.Equal(all.Where(r => r.Destination.Includes(role)).Select(Key), forRole.Select(Key));
            }
        }

        [Theory]
        [InlineData(false, IPFamilies.IPv4)]
        [InlineData(true, IPFamilies.IPv4 | IPFamilies.IPv6)]
        public void Node_to_node_rules_admit_the_cluster_address_families(bool ipv6, IPFamilies expected)
        {
            IReadOnlyList<PortRequirement> rules = PortMatrix.For(new PortMatrixOptions { IPv6 = ipv6, EmbeddedRegistry = true, EmbeddedEtcd = true });

            Assert.All(rules, r => Assert.Equal(expected, r.IPFamily));
        }

        [Fact]
        public void Each_wireguard_port_carries_its_own_address_family()
        {
            IReadOnlyList<PortRequirement> rules = PortMatrix.For(new PortMatrixOptions { FlannelBackend = FlannelBackend.WireguardNative, IPv6 = true });

            Assert.Equal(IPFamilies.IPv4, rules.Single(r => r.FromPort == 51820).IPFamily);
            Assert.Equal(IPFamilies.IPv6, rules.Single(r => r.FromPort == 51821).IPFamily);
        }

        [Fact]
        public void Host_gw_routes_every_protocol_between_nodes_and_says_what_aws_needs()
        {
            PortRequirement routed = PortMatrix.For(new PortMatrixOptions { FlannelBackend = FlannelBackend.HostGw })
                .Single(r => r.Protocol == TrafficProtocol.All);

            Assert.Equal((0, 65535), (routed.FromPort, routed.ToPort));
            Assert.Equal("all", routed.Port);
            Assert.Contains("source/destination check", routed.Condition);
        }

        [Fact]
        public void Every_call_returns_new_objects()
        {
            PortRequirement first = PortMatrix.For(new PortMatrixOptions())[0];
            PortRequirement second = PortMatrix.For(new PortMatrixOptions())[0];

            Assert.NotSame(first, second);
        }
    }
}
