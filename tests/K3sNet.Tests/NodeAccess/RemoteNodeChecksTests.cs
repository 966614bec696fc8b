using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.NodeAccess;
using K3sNet.Tests.Vxlan;
using K3sNet.Vxlan;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>
    /// The node checks' logic through a node's shell, with the tools' captured text (node-a of a lab with a stale fdb
    /// entry for node-c): what a node cannot show is unknown, never a verdict.
    /// </summary>
    public sealed class RemoteNodeChecksTests
    {
        private static readonly VxlanPeer NodeA = Peer("node-a", "10.0.1.10", "10.42.0.0", LabCapture.NodeAMac, "10.42.0.0/24");
        private static readonly VxlanPeer NodeB = Peer("node-b", "10.0.1.11", "10.42.1.0", LabCapture.NodeBMac, "10.42.1.0/24");
        private static readonly VxlanPeer NodeC = Peer("node-c", "10.0.1.12", "10.42.2.0", LabCapture.NodeCMac, "10.42.2.0/24");
        private static readonly VxlanTestOptions Options = new() { LocalNodeName = "node-a", LocalNode = NodeA, Timeout = TimeSpan.FromMilliseconds(200) };

        /// <summary>node-a as k3s's own tools show it: iproute2's ip and ethtool, no bridge, no nft.</summary>
        private static ScriptedShell K3sToolsOnly() => new ScriptedShell()
            .Answers("ip -j -d link show dev flannel.1", LabCapture.FlannelLink)
            .Answers("ip -j link show dev eth0", LabCapture.Eth0Link)
            .Answers("ip -j -4 neigh show dev flannel.1", LabCapture.Neighbours)
            .Answers("ip -j -4 route show dev flannel.1", LabCapture.Routes)
            .Answers("ip -j -4 route show table main", "[]")
            .Fails("ip -j -4 addr show dev cni0", "Device \"cni0\" does not exist.")
            .Answers("ethtool -k flannel.1", ToolCaptures.EthtoolFlannelOn)
            .Answers("ping -V", ToolCaptures.IputilsVersion)
            .File("/proc/sys/kernel/osrelease", "6.8.0-54-generic\n")
            .File("/proc/sys/net/ipv4/ip_forward", "1\n");

        [Fact]
        public async Task Without_bridge_the_fdb_is_unknown_so_a_stale_entry_is_no_verdict_and_the_tester_says_so_once()
        {
            KernelState state = (await KernelStateReader.ReadAsync(K3sToolsOnly(), "flannel.1", CancellationToken.None))!;
            Assert.Equal("'bridge' from iproute2 is not installed on the node", state.FdbUnread);
            Assert.Null(state.NeighboursUnread);
            Assert.Empty(FlannelStateCheck.CheckPeer(state, NodeC));
            Assert.True(state.TxChecksumOffload);
            Assert.Equal("6.8.0-54-generic", state.KernelRelease);
            Assert.Contains("2 neighbour, unread fdb and 2 route entries", VxlanTesterFactory.Describe(state), StringComparison.Ordinal);

            var tester = new KernelPathTester(state, new EveryEchoAnswered());
            List<VxlanPathResult> results = await Collect(tester, new[] { NodeB, NodeC });
            Assert.All(results, r => Assert.NotEqual(VxlanVerdict.Misconfigured, r.Verdict));
            Assert.Single(tester.Notes, n => n == "flannel.1's fdb entries were not read ('bridge' from iproute2 is not installed on the node), so they are not checked.");
        }

        [Fact]
        public async Task With_bridge_the_same_stale_entry_is_found()
        {
            ScriptedShell shell = K3sToolsOnly().Answers("bridge -j fdb show dev flannel.1", LabCapture.Fdb);
            KernelState state = (await KernelStateReader.ReadAsync(shell, "flannel.1", CancellationToken.None))!;
            Assert.Null(state.FdbUnread);
            Assert.Contains("10.0.1.250", Assert.Single(FlannelStateCheck.CheckPeer(state, NodeC)), StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_neighbour_or_route_list_that_fails_to_read_is_unknown_too()
        {
            ScriptedShell shell = K3sToolsOnly()
                .Fails("ip -j -4 neigh show dev flannel.1", "Dump was interrupted and may be inconsistent.")
                .Fails("ip -j -4 route show dev flannel.1", "Dump was interrupted and may be inconsistent.");
            KernelState state = (await KernelStateReader.ReadAsync(shell, "flannel.1", CancellationToken.None))!;
            Assert.NotNull(state.NeighboursUnread);
            Assert.NotNull(state.RoutesUnread);
            Assert.Empty(FlannelStateCheck.CheckPeer(state, NodeB with { VtepMac = "02:00:00:00:00:01" }));
        }

        [Fact]
        public async Task A_node_without_flannel_1_ip_or_ping_gets_the_failure_Test_K3sVxlan_gives_on_a_node()
        {
            VxlanTesterCreation noDevice = await RemoteNodeChecks.CreateTesterAsync(
                new ScriptedShell().Fails("ip -j -d link show dev flannel.1", "Device \"flannel.1\" does not exist."), Options, CancellationToken.None);
            Assert.Equal(new VxlanTesterFailure(VxlanTesterProblem.FlannelDeviceNotFound, "flannel.1", null), noDevice.Failure);

            VxlanTesterCreation noIp = await RemoteNodeChecks.CreateTesterAsync(new ScriptedShell(), Options, CancellationToken.None);
            Assert.Equal(VxlanTesterProblem.IprouteNotFound, noIp.Failure!.Problem);
            Assert.Equal("ip", noIp.Failure.Target);
            Assert.Contains("scripted-node", noIp.Failure.Cause!.Message, StringComparison.Ordinal);

            // Only flannel.1 answers: the rest of ip's reads fail, ethtool and ping are missing.
            ScriptedShell noPing = new ScriptedShell().Answers("ip -j -d link show dev flannel.1", LabCapture.FlannelLink);
            VxlanTesterCreation creation = await RemoteNodeChecks.CreateTesterAsync(noPing, Options, CancellationToken.None);
            Assert.Equal(VxlanTesterProblem.IcmpNotPermitted, creation.Failure!.Problem);
            Assert.Contains("no ping on scripted-node", creation.Failure.Cause!.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_node_with_its_tools_gets_a_kernel_tester_whose_notes_say_what_was_read_and_how_echoes_go()
        {
            VxlanTesterCreation creation = await RemoteNodeChecks.CreateTesterAsync(K3sToolsOnly(), Options, CancellationToken.None);
            Assert.Null(creation.Failure);
            Assert.IsType<KernelPathTester>(creation.Tester);
            Assert.StartsWith("scripted-node: flannel.1: VNI 1, port 8472", creation.Notes[0], StringComparison.Ordinal);
            Assert.Contains(creation.Notes, n => n.StartsWith("The nftables ruleset", StringComparison.Ordinal));
            Assert.Equal("ICMP echoes use the iputils ping on scripted-node.", creation.Notes[^1]);
        }

        [Fact]
        public async Task Busybox_ping_cannot_send_DF_so_full_size_is_not_tested_and_never_an_MTU_black_hole()
        {
            ScriptedShell shell = K3sToolsOnly().Fails("ping -V", ToolCaptures.BusyboxVersionError.Split('\n')[0]);
            RemoteEchoSender busybox = await RemoteEchoSender.CreateAsync(shell, CancellationToken.None);
            Assert.Equal(PingFlavour.Busybox, busybox.Flavour);
            int asked = shell.Asked.Count;
            EchoOutcome df = await busybox.EchoAsync(IPAddress.Parse("10.42.1.0"), 1450, dontFragment: true, TimeSpan.FromSeconds(1), CancellationToken.None);
            Assert.True(df.CannotSend);
            Assert.False(df.Answered);
            Assert.Equal(asked, shell.Asked.Count);

            // Through the tester: small echoes answer, the full-size one cannot be sent: Healthy, no path MTU, one note.
            KernelState state = (await KernelStateReader.ReadAsync(shell.Answers("bridge -j fdb show dev flannel.1", LabCapture.Fdb), "flannel.1", CancellationToken.None))!;
            var tester = new KernelPathTester(state, new EveryEchoAnswered { CanSendDontFragment = false });
            VxlanPathResult result = Assert.Single(await Collect(tester, new[] { NodeB }));
            Assert.Equal(VxlanVerdict.Healthy, result.Verdict);
            Assert.Null(result.PathMtu);
            Assert.NotNull(result.RoundTripMs);
            Assert.Single(tester.Notes, n => n.StartsWith("Full-size echoes (1450 bytes with DF) were not tested from node-a", StringComparison.Ordinal));
        }

        private static async Task<List<VxlanPathResult>> Collect(KernelPathTester tester, IReadOnlyList<VxlanPeer> peers)
        {
            var results = new List<VxlanPathResult>();
            await foreach (VxlanPathResult result in tester.TestAsync(peers, Options, CancellationToken.None))
            {
                results.Add(result);
            }

            return results;
        }

        private static VxlanPeer Peer(string name, string underlay, string vtep, string mac, string podCidr) =>
            new(name, IPAddress.Parse(underlay), IPAddress.Parse(vtep), mac, podCidr, 1, false);

        /// <summary>A path where every echo is answered (a unit test of the tester's logic, not of a network).</summary>
        private sealed class EveryEchoAnswered : IEchoSender
        {
            public bool CanSendDontFragment { get; init; } = true;

            public string Kind => "test echoes";

            public Task<EchoOutcome> EchoAsync(IPAddress destination, int packetSize, bool dontFragment, TimeSpan timeout, CancellationToken cancellationToken) =>
                Task.FromResult(dontFragment && !CanSendDontFragment ? EchoOutcome.NotSendable("no DF here") : EchoOutcome.Reply(TimeSpan.FromMilliseconds(0.5)));

            public Task<EchoOutcome> TcpConnectAsync(IPAddress destination, int port, TimeSpan timeout, CancellationToken cancellationToken) =>
                Task.FromResult(EchoOutcome.Reply(TimeSpan.FromMilliseconds(0.5)));
        }
    }
}
