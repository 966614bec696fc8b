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

        [LabFact]
        public async Task Through_the_agent_a_node_gets_the_verdicts_and_reasons_its_own_kernel_tester_gives()
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

            // Through the agent, as from a probe pod.
            List<VxlanPathResult> remote;
            int requests;
            string marker;
            await using (AgentProcess agent = AgentProcess.Start($"{server.Name} (lab)", server.Namespace))
            {
                VxlanTesterCreation creation = await RemoteNodeChecks.CreateTesterAsync(agent.Session, options, CancellationToken.None).WaitAsync(Patience);
                Assert.True(creation.Failure is null, creation.Failure?.Cause?.Message ?? creation.Failure?.Problem.ToString());
                Assert.Contains("ICMP echoes use the iputils ping on k3s-server (lab).", creation.Notes);
                remote = await Collect(creation.Tester!, peers, options);
                requests = agent.Session.RequestCount;
                marker = agent.Marker;
            }

            // The agent and every tool it ran in the node's namespace are gone.
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(marker)));

            // The same node's own kernel tester: its tools run in its namespace, its echoes from an ICMP socket made there.
            List<VxlanPathResult> local;
            using (NetworkNamespaceThread thread = await NetworkNamespaceThread.EnterAsync(Path.Combine("/run/netns", server.Namespace)))
            {
                var shell = new NamespaceShell(server.Namespace);
                KernelState state = (await KernelStateReader.ReadAsync(shell, KernelStateReader.FlannelDeviceName, CancellationToken.None))!;
                HostNetworkState host = await HostNetworkReader.ReadAsync(shell, state.Device.LowerDevice, state.Device.Name, CancellationToken.None);
                local = await Collect(new KernelPathTester(state, new NamespaceSocketEchoes(thread), host), peers, options);
            }

            Assert.Equal(VxlanVerdict.VxlanBlocked, local.Single(r => r.Destination == blocked.Name).Verdict);
            Assert.Equal(VxlanVerdict.Healthy, local.Single(r => r.Destination == "k3s-agent-1").Verdict);
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

            // Reading the node costs a fixed number of requests; each peer a handful of echoes (no path MTU search here).
            Assert.InRange(requests, 10, 60);
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
