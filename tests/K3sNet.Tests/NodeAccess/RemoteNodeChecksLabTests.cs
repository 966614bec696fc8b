using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi.Kubelet;
using K3sNet.Firewall;
using K3sNet.Icmp;
using K3sNet.NodeAccess;
using K3sNet.Tests.Kubernetes;
using K3sNet.Vxlan;
using Xunit.Abstractions;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>
    /// The remote node checks on the real lab (kernel VXLAN in network namespaces): the node agent runs inside a lab
    /// node's network namespace, and its verdicts must be the ones the kernel tester gives from that node with its own
    /// ICMP socket. The machine's iputils ping is first on the agent's PATH, as on a real host.
    /// </summary>
    public sealed class RemoteNodeChecksLabTests
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
        private readonly ITestOutputHelper _output;

        public RemoteNodeChecksLabTests(ITestOutputHelper output) => _output = output;

        [LabFact]
        public async Task Through_the_agent_a_node_gets_the_verdicts_and_reasons_its_own_kernel_tester_gives_blocked_and_black_holed()
        {
            await using LabHost lab = await LabHost.StartAsync();
            LabDescription description = LabDescription.Load(Path.Combine(lab.Folder, "lab.json"));
            string bridgeNamespace = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(lab.Folder, "lab.json")))!["BridgeNamespace"]!;
            IReadOnlyList<VxlanPeer> nodes = Peers(Path.Combine(lab.Folder, "nodes.json"));
            LabNode server = description.Nodes.Single(n => n.Name == "k3s-server");
            LabNode blocked = description.Nodes.Single(n => n.Name == "k3s-agent-2");

            // The fault: k3s-agent-2's security group stops admitting UDP 8472 from the other nodes (as Set-K3sNetLabFault VxlanBlocked).
            string others = string.Join(", ", description.Nodes.Where(n => n != blocked).Select(n => n.HostIp));
            HostToolRun fault = await HostTool.ExecuteAsync("ip", CancellationToken.None, "netns", "exec", bridgeNamespace, "nft", "delete", "element", "inet", "k3snetlab", $"sg-{blocked.Name}-vxlan", $"{{ {others} }}");
            Assert.True(fault.Failure is null, fault.Failure);

            VxlanPeer self = nodes.Single(p => p.Name == server.Name);
            VxlanPeer[] peers = nodes.Where(p => p != self).ToArray();
            var options = new VxlanTestOptions { LocalNodeName = server.Name, LocalNode = self, Timeout = TimeSpan.FromSeconds(1) };

            (List<VxlanPathResult> local, List<VxlanPathResult> remote, int requests) = await CompareAsync(server, peers, options);
            Assert.Equal(VxlanVerdict.VxlanBlocked, local.Single(r => r.Destination == blocked.Name).Verdict);
            Assert.Equal(VxlanVerdict.Healthy, local.Single(r => r.Destination == "k3s-agent-1").Verdict);
            AssertSame(local, remote);

            // Reading the node costs a fixed number of requests; each peer a handful of echoes (no path MTU search here).
            Assert.InRange(requests, 10, 60);

            // Then a path MTU black hole to k3s-agent-1 (as Set-K3sNetLabFault PathMtu: the subnet drops IPv4 over 1400
            // bytes to and from its port): the full-size DF echoes and the search go through the node's iputils ping.
            HostToolRun unblock = await HostTool.ExecuteAsync("ip", CancellationToken.None, "netns", "exec", bridgeNamespace, "nft", "add", "element", "inet", "k3snetlab", $"sg-{blocked.Name}-vxlan", $"{{ {others} }}");
            Assert.True(unblock.Failure is null, unblock.Failure);
            string port = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(lab.Folder, "lab.json")))!["Nodes"]!.AsArray().Single(n => (string?)n!["Name"] == "k3s-agent-1")!["BridgePort"]!;
            string rules = Path.Combine(lab.Folder, "node-access-path-mtu.nft");
            await File.WriteAllTextAsync(rules, $$"""
                table bridge k3snetlab {
                    chain forward { type filter hook forward priority filter; policy accept; }
                }
                add rule bridge k3snetlab forward oifname "{{port}}" ip length > 1400 drop
                add rule bridge k3snetlab forward iifname "{{port}}" ip length > 1400 drop

                """);
            HostToolRun mtu = await HostTool.ExecuteAsync("ip", CancellationToken.None, "netns", "exec", bridgeNamespace, "nft", "-f", rules);
            Assert.True(mtu.Failure is null, mtu.Failure);

            (local, remote, requests) = await CompareAsync(server, peers, options);
            VxlanPathResult blackHole = local.Single(r => r.Destination == "k3s-agent-1");
            Assert.Equal(VxlanVerdict.MtuBlackhole, blackHole.Verdict);
            Assert.Equal(VxlanVerdict.Healthy, local.Single(r => r.Destination == blocked.Name).Verdict);
            AssertSame(local, remote);
        }

        /// <summary>The node's results through the agent, then from its own kernel tester; and the agent's request count.</summary>
        private async Task<(List<VxlanPathResult> Local, List<VxlanPathResult> Remote, int Requests)> CompareAsync(LabNode node, IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options)
        {
            // Through the agent, as from a probe pod.
            List<VxlanPathResult> remote;
            int requests;
            string marker;
            await using (AgentProcess agent = AgentProcess.Start($"{node.Name} (lab)", node.Namespace))
            {
                VxlanTesterCreation creation = await RemoteNodeChecks.CreateTesterAsync(agent.Session, options, CancellationToken.None).WaitAsync(Patience);
                Assert.True(creation.Failure is null, creation.Failure?.Cause?.Message ?? creation.Failure?.Problem.ToString());
                Assert.Contains($"ICMP echoes use the iputils ping on {node.Name} (lab).", creation.Notes);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                remote = await Collect(creation.Tester!, peers, options);
                requests = agent.Session.RequestCount;
                _output.WriteLine($"through the agent: {requests} requests, the peers judged in {clock.ElapsedMilliseconds} ms");
                marker = agent.Marker;
            }

            // The agent and every tool it ran in the node's namespace are gone.
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(marker)));

            // The same node's own kernel tester: its tools run in its namespace, its echoes from an ICMP socket made there.
            List<VxlanPathResult> local;
            using (NetworkNamespaceThread thread = await NetworkNamespaceThread.EnterAsync(Path.Combine("/run/netns", node.Namespace)))
            {
                var shell = new NamespaceShell(node.Namespace);
                KernelState state = (await KernelStateReader.ReadAsync(shell, KernelStateReader.FlannelDeviceName, CancellationToken.None))!;
                HostNetworkState host = await HostNetworkReader.ReadAsync(shell, state.Device.LowerDevice, state.Device.Name, CancellationToken.None);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                local = await Collect(new KernelPathTester(state, new NamespaceSocketEchoes(thread), host), peers, options);
                _output.WriteLine($"own sockets: the peers judged in {clock.ElapsedMilliseconds} ms");
            }

            return (local, remote, requests);
        }

        private static void AssertSame(IReadOnlyList<VxlanPathResult> local, IReadOnlyList<VxlanPathResult> remote)
        {
            Assert.Equal(local.Count, remote.Count);
            foreach (VxlanPathResult expected in local)
            {
                VxlanPathResult actual = remote.Single(r => r.Destination == expected.Destination);
                Assert.Equal(expected.Verdict, actual.Verdict);
                Assert.Equal(WithoutRoundTrip(expected.Reason), WithoutRoundTrip(actual.Reason));
                Assert.Equal(expected.Remedy, actual.Remedy);
                Assert.Equal(expected.Source, actual.Source);
                Assert.Equal(expected.PathMtu, actual.PathMtu);
                Assert.Equal(expected.Underlay, actual.Underlay);
                Assert.Equal(expected.Overlay, actual.Overlay);
            }
        }

        private static string? WithoutRoundTrip(string? reason) => reason is null ? null : Regex.Replace(reason, @" in [0-9.]+ ms", " in N ms");

        private static async Task<List<VxlanPathResult>> Collect(IVxlanPathTester tester, IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options)
        {
            var results = new List<VxlanPathResult>();
            using var deadline = new CancellationTokenSource(Patience);
            await foreach (VxlanPathResult result in tester.TestAsync(peers, options, deadline.Token))
            {
                results.Add(result);
            }

            return results;
        }

        /// <summary>The lab's nodes as Test-K3sVxlan binds them, from the nodes.json the emulator serves.</summary>
        private static IReadOnlyList<VxlanPeer> Peers(string nodesJson) =>
            JsonNode.Parse(File.ReadAllText(nodesJson))!["items"]!.AsArray().Select(item =>
            {
                JsonNode annotations = item!["metadata"]!["annotations"]!;
                JsonNode backend = JsonNode.Parse((string)annotations["flannel.alpha.coreos.com/backend-data"]!)!;
                string podCidr = (string)item["spec"]!["podCIDR"]!;
                return new VxlanPeer(
                    (string)item["metadata"]!["name"]!,
                    IPAddress.Parse((string)annotations["flannel.alpha.coreos.com/public-ip"]!),
                    IPAddress.Parse(podCidr.Split('/')[0]),
                    (string?)backend["VtepMAC"],
                    podCidr,
                    (int?)backend["VNI"],
                    false);
            }).ToArray();

        /// <summary>A lab node's own tools, each run in its network namespace by `ip netns exec`.</summary>
        private sealed class NamespaceShell : INodeShell
        {
            private readonly string _namespace;

            public NamespaceShell(string networkNamespace) => _namespace = networkNamespace;

            public string Description => _namespace;

            public async Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
            {
                HostToolRun run = await HostTool.ExecuteAsync("ip", cancellationToken, new[] { "netns", "exec", _namespace, tool }.Concat(arguments).ToArray());
                return run.Failure?.Contains("No such file or directory", StringComparison.Ordinal) == true && run.Failure.Contains("exec of", StringComparison.Ordinal)
                    ? new HostToolRun(null, $"'{tool}' is not installed", NotInstalled: true)
                    : run;
            }

            public async Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken) =>
                (await RunAsync("cat", new[] { path }, cancellationToken)).Output;
        }

        /// <summary>K3sNet's own ICMP socket and TCP connect, each socket made on a thread inside the node's namespace.</summary>
        private sealed class NamespaceSocketEchoes : IEchoSender
        {
            private readonly NetworkNamespaceThread _thread;
            private readonly IcmpEchoSender _icmp = new(IcmpSocketKind.Raw);

            public NamespaceSocketEchoes(NetworkNamespaceThread thread) => _thread = thread;

            public string Kind => "raw ICMP socket in the node's namespace";

            public Task<EchoOutcome> EchoAsync(IPAddress destination, int packetSize, bool dontFragment, TimeSpan timeout, CancellationToken cancellationToken) =>
                _thread.StartAsync(() => _icmp.EchoAsync(destination, packetSize, dontFragment, timeout, cancellationToken));

            public Task<EchoOutcome> TcpConnectAsync(IPAddress destination, int port, TimeSpan timeout, CancellationToken cancellationToken) =>
                _thread.StartAsync(() => IcmpEchoSender.TcpConnectAsync(destination, port, timeout, cancellationToken));
        }
    }
}
