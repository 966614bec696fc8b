using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.ClusterProbes;
using K3sNet.Kubernetes;
using K3sNet.PodNetwork;
using Xunit;

namespace K3sNet.Tests.PodNetwork
{
    /// <summary>
    /// The tester and its judge with a stand-in for the pods: the story's cluster (CoreDNS on k3s-server, UDP 8472 into
    /// k3s-agent-2 dropped), where each pod answers its script as busybox did in the captures.
    /// </summary>
    public sealed class PodNetworkTesterTests
    {
        private const string Tools = "/var/lib/rancher/k3s/data/current/bin";

        private static readonly ClusterTargets Story = new()
        {
            DnsServiceIP = "10.43.0.10",
            CoreDnsPods = new[] { new CoreDnsEndpoint("coredns-7b98449c4-x2x9k", "k3s-server", "10.42.0.4") },
            KubernetesServiceIP = "10.43.0.1",
            KubernetesServicePort = 443,
        };

        private static readonly EgressTarget Ssm = new("ssm.us-east-1.amazonaws.com", 443);

        private static ProbeNode Pod(string name, int index, string? notReady = null) => new()
        {
            Node = new K3sNode { Name = name },
            PodName = "k3snet-podnetwork-" + name,
            PodIP = notReady is null ? $"10.42.{index}.9" : null,
            ToolDirectory = Tools,
            NotReadyReason = notReady,
        };

        private static ProbeNode[] Nodes(string? agent2NotReady = null) =>
            new[] { Pod("k3s-server", 0), Pod("k3s-agent-1", 1), Pod("k3s-agent-2", 2, agent2NotReady) };

        /// <summary>
        /// A pod answers each job of its script as busybox would: nothing crosses into or out of k3s-agent-2's pods when
        /// <paramref name="agent2Cut"/>, so from there ping, DNS (CoreDNS is on the server) and the egress lookup time out.
        /// </summary>
        private static PodCommandRunner Cluster(bool agent2Cut, ConcurrentBag<string>? execs = null, Func<ProbeNode, bool>? refuse = null) =>
            (node, command, timeout, ct) =>
            {
                execs?.Add(node.Node.Name);
                if (refuse?.Invoke(node) == true)
                {
                    throw new ClusterRequestException(
                        ClusterRequestFailure.ApiError,
                        new ClusterRequest(new Uri("https://127.0.0.1:6443/"), "create", "pods/exec", "k3snet-1a2b3c4d"),
                        "error dialing backend: dial tcp 10.0.1.12:10250: connect: connection refused");
                }

                bool cut = agent2Cut && node.Node.Name == "k3s-agent-2";
                var lines = new List<string>();
                foreach (string job in command[3].Split('\n').Where(l => l.StartsWith("r ", StringComparison.Ordinal)))
                {
                    string[] words = job.Split(' ');
                    string id = words[1];
                    string target = words[^2];
                    (int code, string output) = words[2] switch
                    {
                        "$B" when cut || (agent2Cut && target == "10.42.2.9") => (143, string.Empty),
                        "$B" => (0, BusyboxCaptures.PingAnswered.Replace("10.99.0.2", target)),
                        "l" when cut => (1, BusyboxCaptures.LookupTimedOut),
                        "l" => (0, BusyboxCaptures.LookupAnswered),
                        "t" => (1, "Connecting to 10.43.0.1:443 (10.43.0.1:443)\nwget: error getting response: Connection reset by peer\nestablished: 0"),
                        "e" when cut => (1, BusyboxCaptures.LookupTimedOut),
                        "e" => (143, BusyboxCaptures.LookupAnswered.Replace("kubernetes.default.svc.cluster.local", "ssm.us-east-1.amazonaws.com").Replace("10.43.0.1", "198.51.100.10")
                            + "connect: 198.51.100.10\nTerminated\nConnecting to 198.51.100.10:443 (198.51.100.10:443)\nestablished: 1"),
                        _ => throw new InvalidOperationException(job),
                    };
                    lines.Add($"K3SNET {id} {code} {output.Replace('\n', '\u001f')}");
                }

                return Task.FromResult(new ProbeExecResult(0, string.Join("\n", lines) + "\n", string.Empty, false));
            };

        private static VxlanPathResult Blocked(string source, string destination) => new()
        {
            Source = source,
            Destination = destination,
            Verdict = VxlanVerdict.VxlanBlocked,
            Reason = $"{destination} answers on its underlay address but not through VXLAN: UDP 8472 is dropped on the way (security group sg-0agent2).",
            Remedy = "Allow inbound UDP 8472 to k3s-agent-2 from the cluster's nodes.",
        };

        private static async Task<IReadOnlyList<PodNetworkResult>> Run(ProbeNode[] nodes, PodCommandRunner runner, IEnumerable<VxlanPathResult>? vxlan = null, PodNetworkTester? tester = null) =>
            await (tester ?? new PodNetworkTester(runner, 2)).TestAsync(nodes, Story, new[] { Ssm }, vxlan ?? Array.Empty<VxlanPathResult>(), null, CancellationToken.None);

        [Fact]
        public async Task A_healthy_cluster_is_healthy_everywhere_with_one_exec_per_pod()
        {
            var execs = new ConcurrentBag<string>();
            var tester = new PodNetworkTester(Cluster(agent2Cut: false, execs), 2);
            IReadOnlyList<PodNetworkResult> results = await Run(Nodes(), Cluster(false, execs), tester: tester);

            // Per node: 2 pod pairs, cluster DNS, 1 CoreDNS pod, kubernetes, 1 egress.
            Assert.Equal(3 * 6, results.Count);
            Assert.All(results, r => Assert.Equal(PodNetworkVerdict.Healthy, r.Verdict));
            Assert.Equal(3, tester.ExecCount);
            Assert.Equal(new[] { "k3s-agent-1", "k3s-agent-2", "k3s-server" }, execs.OrderBy(n => n, StringComparer.Ordinal));
            PodNetworkResult egress = results.Single(r => r.Source == "k3s-agent-1" && r.Check == PodNetworkCheck.Egress);
            Assert.Equal("198.51.100.10", egress.DestinationAddress);
            Assert.Equal(443, egress.ToPort);
            Assert.Equal("TCP", egress.Protocol);
            Assert.Equal(0.077, results.First(r => r.Check == PodNetworkCheck.PodToPod).RoundTripMs);
        }

        [Fact]
        public async Task Dns_failing_because_CoreDNS_is_across_a_failed_path_says_so()
        {
            IReadOnlyList<PodNetworkResult> results = await Run(Nodes(), Cluster(agent2Cut: true));

            PodNetworkResult dns = results.Single(r => r.Source == "k3s-agent-2" && r.Check == PodNetworkCheck.ClusterDns);
            Assert.Equal(PodNetworkVerdict.Failed, dns.Verdict);
            Assert.Equal("Pods on k3s-agent-2 cannot resolve names: the cluster DNS (10.43.0.10) runs on k3s-server, which they cannot reach through VXLAN (UDP 8472).", dns.Reason);
            Assert.Null(dns.Cause);
            Assert.Contains("Test-K3sVxlan -AllNodes", dns.Remedy);

            PodNetworkResult egress = results.Single(r => r.Source == "k3s-agent-2" && r.Check == PodNetworkCheck.Egress);
            Assert.Equal(PodNetworkVerdict.Failed, egress.Verdict);
            Assert.StartsWith("Pods on k3s-agent-2 cannot resolve ssm.us-east-1.amazonaws.com: the cluster DNS (10.43.0.10) runs on k3s-server, which they cannot reach", egress.Reason);

            Assert.Equal(PodNetworkVerdict.Failed, results.Single(r => r.Source == "k3s-agent-2" && r.Check == PodNetworkCheck.CoreDnsPod).Verdict);
            PodNetworkResult toServer = results.Single(r => r.Source == "k3s-agent-2" && r.Check == PodNetworkCheck.PodToPod && r.Destination == "k3s-server");
            Assert.Equal(PodNetworkVerdict.Failed, toServer.Verdict);
            Assert.Contains("none of 3 echoes came back within 2 s", toServer.Reason);

            // The others reach each other, and their pings to agent-2's pod fail; their DNS works.
            Assert.Equal(PodNetworkVerdict.Healthy, results.Single(r => r.Source == "k3s-server" && r.Destination == "k3s-agent-1").Verdict);
            Assert.Equal(PodNetworkVerdict.Failed, results.Single(r => r.Source == "k3s-agent-1" && r.Destination == "k3s-agent-2").Verdict);
            Assert.Equal(PodNetworkVerdict.Healthy, results.Single(r => r.Source == "k3s-agent-1" && r.Check == PodNetworkCheck.ClusterDns).Verdict);
            // The kubernetes Service is reached through the node, not VXLAN: a reset after connecting is connected.
            Assert.Equal(PodNetworkVerdict.Healthy, results.Single(r => r.Source == "k3s-agent-2" && r.Check == PodNetworkCheck.KubernetesService).Verdict);
        }

        [Fact]
        public async Task With_Test_K3sVxlan_results_the_failure_names_the_node_level_cause()
        {
            VxlanPathResult[] vxlan =
            {
                new() { Source = "k3s-agent-2", Destination = "k3s-server", Verdict = VxlanVerdict.Healthy, Reason = "fine" },
                Blocked("k3s-server", "k3s-agent-2"),
            };
            IReadOnlyList<PodNetworkResult> results = await Run(Nodes(), Cluster(agent2Cut: true), vxlan);

            PodNetworkResult dns = results.Single(r => r.Source == "k3s-agent-2" && r.Check == PodNetworkCheck.ClusterDns);
            Assert.Equal(VxlanVerdict.VxlanBlocked, dns.Cause);
            Assert.StartsWith("Pods on k3s-agent-2 cannot resolve names: the cluster DNS (10.43.0.10) runs on k3s-server, which they cannot reach through VXLAN (UDP 8472). "
                + "Test-K3sVxlan: k3s-server -> k3s-agent-2 VxlanBlocked: ", dns.Reason);
            Assert.Contains("security group sg-0agent2", dns.Reason);
            Assert.Equal("Allow inbound UDP 8472 to k3s-agent-2 from the cluster's nodes.", dns.Remedy);
            PodNetworkResult pair = results.Single(r => r.Source == "k3s-agent-1" && r.Destination == "k3s-agent-2");
            Assert.Null(pair.Cause); // No node-level result for agent-1 <-> agent-2 was given.
            Assert.Equal(VxlanVerdict.VxlanBlocked, results.Single(r => r.Source == "k3s-server" && r.Destination == "k3s-agent-2").Cause);
        }

        [Fact]
        public async Task Service_failing_while_the_CoreDNS_pod_answers_points_at_checksum_offload()
        {
            PodCommandRunner inner = Cluster(agent2Cut: false);
            PodCommandRunner runner = async (node, command, timeout, ct) =>
            {
                ProbeExecResult result = await inner(node, command, timeout, ct);
                if (node.Node.Name != "k3s-agent-1")
                {
                    return result;
                }

                // The lookup at the Service IP times out; the one at the CoreDNS pod answers.
                string dnsId = command[3].Split('\n').Single(l => l.Contains(" 10.43.0.10 &", StringComparison.Ordinal) && l.Contains(" l ", StringComparison.Ordinal)).Split(' ')[1];
                string output = string.Join("\n", result.StandardOutput.Split('\n').Select(l => l.StartsWith($"K3SNET {dnsId} ", StringComparison.Ordinal)
                    ? $"K3SNET {dnsId} 1 {BusyboxCaptures.LookupTimedOut.Replace('\n', '\u001f')}" : l));
                return result with { StandardOutput = output };
            };
            VxlanPathResult offload = new() { Source = "k3s-agent-1", Destination = "k3s-server", Verdict = VxlanVerdict.ChecksumOffload, Reason = "flannel.1 has tx checksum offload on.", Remedy = "ethtool -K flannel.1 tx-checksum-ip-generic off" };
            IReadOnlyList<PodNetworkResult> results = await Run(Nodes(), runner, new[] { offload });

            PodNetworkResult dns = results.Single(r => r.Source == "k3s-agent-1" && r.Check == PodNetworkCheck.ClusterDns);
            Assert.Equal(PodNetworkVerdict.Failed, dns.Verdict);
            Assert.Contains("though CoreDNS pod coredns-7b98449c4-x2x9k (10.42.0.4) answers them directly", dns.Reason);
            Assert.Contains("checksum offload", dns.Reason);
            Assert.Equal(VxlanVerdict.ChecksumOffload, dns.Cause);
            Assert.Equal(PodNetworkVerdict.Healthy, results.Single(r => r.Source == "k3s-agent-1" && r.Check == PodNetworkCheck.CoreDnsPod).Verdict);
        }

        [Fact]
        public async Task A_pod_that_cannot_run_gives_NotTested_with_its_reason_and_the_others_are_judged()
        {
            var execs = new ConcurrentBag<string>();
            ProbeNode[] nodes = Nodes(agent2NotReady: "ErrImagePull: failed to pull image \"fault.k3snet.invalid/image-pull\"");
            var tester = new PodNetworkTester(Cluster(false, execs), 2);
            IReadOnlyList<PodNetworkResult> results = await Run(nodes, Cluster(false, execs), tester: tester);

            PodNetworkResult[] fromAgent2 = results.Where(r => r.Source == "k3s-agent-2").ToArray();
            Assert.Equal(6, fromAgent2.Length);
            Assert.All(fromAgent2, r =>
            {
                Assert.Equal(PodNetworkVerdict.NotTested, r.Verdict);
                Assert.Contains("ErrImagePull: failed to pull image", r.Reason);
            });
            PodNetworkResult toAgent2 = results.Single(r => r.Source == "k3s-server" && r.Destination == "k3s-agent-2");
            Assert.Equal(PodNetworkVerdict.NotTested, toAgent2.Verdict);
            Assert.Contains("could not run (ErrImagePull", toAgent2.Reason);
            Assert.Equal(PodNetworkVerdict.Healthy, results.Single(r => r.Source == "k3s-server" && r.Destination == "k3s-agent-1").Verdict);
            Assert.Equal(2, tester.ExecCount);
            Assert.DoesNotContain("k3s-agent-2", execs);
        }

        [Fact]
        public async Task An_exec_the_kubelet_refuses_makes_only_that_node_NotTested()
        {
            PodCommandRunner runner = Cluster(false, refuse: n => n.Node.Name == "k3s-agent-1");
            IReadOnlyList<PodNetworkResult> results = await Run(Nodes(), runner);

            Assert.All(results.Where(r => r.Source == "k3s-agent-1"), r =>
            {
                Assert.Equal(PodNetworkVerdict.NotTested, r.Verdict);
                Assert.Contains("error dialing backend", r.Reason);
            });
            Assert.All(results.Where(r => r.Source != "k3s-agent-1"), r => Assert.Equal(PodNetworkVerdict.Healthy, r.Verdict));
        }

        [Fact]
        public async Task Without_kube_dns_the_DNS_checks_are_NotTested_saying_why()
        {
            var tester = new PodNetworkTester(Cluster(false), 2);
            IReadOnlyList<PodNetworkResult> results = await tester.TestAsync(Nodes(), Story with { DnsServiceIP = null, CoreDnsPods = Array.Empty<CoreDnsEndpoint>() }, new[] { Ssm }, Array.Empty<VxlanPathResult>(), null, CancellationToken.None);

            PodNetworkResult dns = results.First(r => r.Check == PodNetworkCheck.ClusterDns);
            Assert.Equal(PodNetworkVerdict.NotTested, dns.Verdict);
            Assert.Contains("no kube-dns Service", dns.Reason);
            Assert.Contains("No CoreDNS pod", results.First(r => r.Check == PodNetworkCheck.CoreDnsPod).Reason);
            Assert.Equal(PodNetworkVerdict.NotTested, results.First(r => r.Check == PodNetworkCheck.Egress).Verdict);
        }
    }
}
