using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.ClusterProbes;
using K3sNet.Firewall;
using K3sNet.Kubernetes;
using K3sNet.NodeAccess;
using K3sNet.Vxlan;

namespace K3sNet.Tests.ClusterProbes
{
    public sealed class VxlanFleetRunTests
    {
        private static readonly ProbeFleetOptions Options = new() { StartTimeout = TimeSpan.FromSeconds(5), ThrottleLimit = 2 };

        private static readonly K3sNode[] Cluster =
        {
            Node("k3s-server", "10.0.1.10", 0),
            Node("k3s-agent-1", "10.0.1.11", 1),
            Node("k3s-agent-2", "10.0.1.12", 2),
        };

        private static K3sNode Node(string name, string ip, int index) => new()
        {
            Name = name,
            InternalIP = ip,
            FlannelPublicIP = ip,
            FlannelBackend = FlannelBackend.Vxlan,
            PodCidr = $"10.42.{index}.0/24",
            VtepAddress = $"10.42.{index}.0",
            VtepMac = $"02:00:00:00:00:0{index}",
            Vni = 1,
        };

        private static FakePodRunner Runner() => new(Cluster.Select(n => FakePodRunner.Node(n.Name)).ToArray()) { ExecRunsUntilDisposed = true };

        private static async Task<List<VxlanFleetEvent>> RunAsync(FakePodRunner runner, NodeCheckConnector connector, TimeSpan? nodeTimeout = null)
        {
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Cluster, ProbePodKind.Node, Options, null, CancellationToken.None);
            var events = new List<VxlanFleetEvent>();
            await foreach (VxlanFleetEvent item in VxlanFleetRun.RunAsync(fleet, Cluster, new VxlanTestOptions(), nodeTimeout ?? TimeSpan.FromSeconds(30), connector, CancellationToken.None))
            {
                events.Add(item);
            }

            return events;
        }

        private static List<VxlanPathResult> Results(IEnumerable<VxlanFleetEvent> events) => events.OfType<VxlanFleetResult>().Select(r => r.Result).ToList();

        /// <summary>Judges every peer Healthy from the node it was created for; records what it was created with.</summary>
        private static NodeCheckConnector Healthy(ConcurrentQueue<VxlanTestOptions>? created = null, Func<string, Task>? before = null) => new(
            dir => new[] { dir + "/busybox", "sh", "-c", "agent" },
            (description, session) => new NullShell(description),
            (shell, options, token) =>
            {
                created?.Enqueue(options);
                return Task.FromResult(VxlanTesterCreation.Made(new ScriptedTester(before), new[] { $"flannel.1 found on {options.LocalNodeName}" }));
            });

        [Fact]
        public async Task Every_ready_node_tests_every_peer_with_itself_as_source_and_local_node()
        {
            using FakePodRunner runner = Runner();
            var created = new ConcurrentQueue<VxlanTestOptions>();
            List<VxlanFleetEvent> events = await RunAsync(runner, Healthy(created));

            List<VxlanPathResult> results = Results(events);
            Assert.Equal(6, results.Count);
            foreach (K3sNode node in Cluster)
            {
                Assert.Equal(
                    Cluster.Where(n => n != node).Select(n => n.Name).OrderBy(n => n),
                    results.Where(r => r.Source == node.Name).Select(r => r.Destination).OrderBy(n => n));
            }

            Assert.All(results, r => Assert.Equal(VxlanVerdict.Healthy, r.Verdict));
            Assert.Equal(Cluster.Select(n => n.Name).OrderBy(n => n), created.Select(o => o.LocalNodeName).OrderBy(n => n));
            Assert.All(created, o => Assert.Equal(o.LocalNodeName, o.LocalNode!.Name));
            Assert.Contains(events, e => e is VxlanFleetNote { Node: "k3s-agent-2", Text: "flannel.1 found on k3s-agent-2" });
            Assert.Equal(3, events.OfType<VxlanFleetNodeDone>().Count());
            Assert.All(runner.Execs, e => Assert.Equal("/var/lib/rancher/k3s/data/current/bin/busybox", e.Command[0]));
            Assert.Equal(3, runner.Execs.Count);
        }

        [Fact]
        public async Task A_node_whose_pod_cannot_pull_is_NotTested_with_the_kubelets_reason_and_the_others_are_judged()
        {
            using FakePodRunner runner = Runner();
            runner.PodStatuses["k3s-agent-2"] = new[]
            {
                FakePodRunner.Status("Pending", waiting: "ErrImagePull", waitingMessage: "failed to pull image \"fault.k3snet.invalid/image-pull\""),
            };
            List<VxlanPathResult> results = Results(await RunAsync(runner, Healthy()));

            List<VxlanPathResult> fromAgent2 = results.Where(r => r.Source == "k3s-agent-2").ToList();
            Assert.Equal(2, fromAgent2.Count);
            Assert.All(fromAgent2, r =>
            {
                Assert.Equal(VxlanVerdict.NotTested, r.Verdict);
                Assert.Equal("The probe pod on k3s-agent-2 could not start: ErrImagePull: failed to pull image \"fault.k3snet.invalid/image-pull\".", r.Reason);
                Assert.Contains("-Image", r.Remedy);
                Assert.Equal("10.0.1.12", r.SourceAddress);
            });
            Assert.Equal(4, results.Count(r => r.Source != "k3s-agent-2" && r.Verdict == VxlanVerdict.Healthy));
            Assert.DoesNotContain(runner.Execs, e => e.Pod.EndsWith("k3s-agent-2", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_kubelet_that_refuses_exec_makes_its_node_NotTested_in_its_own_words()
        {
            using FakePodRunner runner = Runner();
            runner.ExecFailures["k3s-agent-1"] = new ClusterRequestException(
                ClusterRequestFailure.ApiError,
                new ClusterRequest(runner.Server, "create", "pods/exec", "k3snet-x"),
                "error dialing backend: dial tcp 10.0.1.11:10250: connect: connection refused");
            // The agent on a refused node never answers: the checks wait until the refusal ends them.
            List<VxlanPathResult> results = Results(await RunAsync(runner, Healthy(before: node => node == "k3s-agent-1" ? Task.Delay(Timeout.Infinite) : Task.CompletedTask)));

            List<VxlanPathResult> refused = results.Where(r => r.Source == "k3s-agent-1").ToList();
            Assert.Equal(2, refused.Count);
            Assert.All(refused, r =>
            {
                Assert.Equal(VxlanVerdict.NotTested, r.Verdict);
                Assert.Equal("K3sNet could not exec into the probe pod on k3s-agent-1 (k3snet-node-k3s-agent-1): error dialing backend: dial tcp 10.0.1.11:10250: connect: connection refused", r.Reason);
            });
            Assert.Equal(4, results.Count(r => r.Verdict == VxlanVerdict.Healthy));
        }

        [Fact]
        public async Task RBAC_refusing_exec_ends_the_run_with_the_refusal()
        {
            using FakePodRunner runner = Runner();
            foreach (K3sNode node in Cluster)
            {
                runner.ExecFailures[node.Name] = FakePodRunner.Forbidden("create", "pods/exec", "k3snet-x", "pods \"k3snet-node-x\" is forbidden: User \"ops\" cannot create resource \"pods/exec\"");
            }

            ClusterRequestException refused = await Assert.ThrowsAsync<ClusterRequestException>(() => RunAsync(runner, Healthy(before: _ => Task.Delay(Timeout.Infinite))));
            Assert.Equal("pods/exec", refused.Request.Resource);
        }

        [Fact]
        public async Task Checks_that_hang_past_the_node_timeout_are_NotTested_and_say_so()
        {
            using FakePodRunner runner = Runner();
            List<VxlanPathResult> results = Results(await RunAsync(
                runner,
                Healthy(before: node => node == "k3s-server" ? Task.Delay(Timeout.Infinite) : Task.CompletedTask),
                TimeSpan.FromMilliseconds(500)));
            Assert.All(results.Where(r => r.Source == "k3s-server"), r => Assert.StartsWith("The checks on k3s-server did not finish within 1 s", r.Reason));
            Assert.Equal(2, results.Count(r => r.Source == "k3s-server" && r.Verdict == VxlanVerdict.NotTested));
            Assert.Equal(4, results.Count(r => r.Verdict == VxlanVerdict.Healthy));
        }

        [Fact]
        public async Task A_node_without_flannel_1_is_NotTested_saying_so()
        {
            using FakePodRunner runner = Runner();
            NodeCheckConnector healthy = Healthy();
            NodeCheckConnector connector = healthy with
            {
                CreateTester = (shell, options, token) => options.LocalNodeName == "k3s-agent-1"
                    ? Task.FromResult(VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.FlannelDeviceNotFound, "flannel.1", null), Array.Empty<string>()))
                    : healthy.CreateTester(shell, options, token),
            };
            List<VxlanPathResult> results = Results(await RunAsync(runner, connector));
            Assert.All(results.Where(r => r.Source == "k3s-agent-1"), r =>
                Assert.Equal("Test-K3sVxlan cannot test from k3s-agent-1: k3s-agent-1 has no flannel VXLAN device 'flannel.1' (k3s runs another flannel backend there, or is not running).", r.Reason));
            Assert.Equal(2, results.Count(r => r.Source == "k3s-agent-1" && r.Verdict == VxlanVerdict.NotTested));
        }

        [Fact]
        public async Task Ctrl_C_stops_the_run()
        {
            using FakePodRunner runner = Runner();
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Cluster, ProbePodKind.Node, Options, null, CancellationToken.None);
            using var stop = new CancellationTokenSource();
            NodeCheckConnector hanging = Healthy(before: _ => Task.Delay(Timeout.Infinite, stop.Token));
            stop.CancelAfter(200);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (VxlanFleetEvent item in VxlanFleetRun.RunAsync(fleet, Cluster, new VxlanTestOptions(), TimeSpan.FromMinutes(5), hanging, stop.Token))
                {
                    Assert.IsNotType<VxlanFleetResult>(item);
                }
            });
        }

        private sealed class NullShell : INodeShell
        {
            public NullShell(string description) => Description = description;

            public string Description { get; }

            public Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) => throw new NotSupportedException();

            public Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
        }

        private sealed class ScriptedTester : IVxlanPathTester
        {
            private readonly Func<string, Task>? _before;

            public ScriptedTester(Func<string, Task>? before) => _before = before;

            public async IAsyncEnumerable<VxlanPathResult> TestAsync(IReadOnlyList<VxlanPeer> peers, VxlanTestOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                if (_before is not null)
                {
                    await _before(options.LocalNodeName).WaitAsync(cancellationToken);
                }

                foreach (VxlanPeer peer in peers)
                {
                    yield return new VxlanPathResult
                    {
                        Source = options.LocalNodeName,
                        Destination = peer.Name,
                        SourceAddress = options.LocalNode?.UnderlayAddress?.ToString(),
                        DestinationAddress = peer.UnderlayAddress?.ToString(),
                        Verdict = VxlanVerdict.Healthy,
                        Reason = "The VXLAN path works.",
                    };
                }
            }
        }
    }
}
