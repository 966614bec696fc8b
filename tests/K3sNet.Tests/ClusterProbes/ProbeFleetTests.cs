using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.ClusterProbes;
using K3sNet.Cloud;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.ClusterProbes
{
    public sealed class ProbeFleetTests
    {
        private static readonly ProbeFleetOptions Options = new() { StartTimeout = TimeSpan.FromSeconds(5), ThrottleLimit = 2, Purpose = "Test-K3sVxlan -AllNodes" };

        private static K3sNode[] Nodes(params string[] names) => names.Select(n => new K3sNode { Name = n }).ToArray();

        private static FakePodRunner Cluster(params string[] names) => new(names.Select(n => FakePodRunner.Node(n)).ToArray());

        [Fact]
        public async Task The_namespace_is_K3sNets_own_labelled_and_annotated_with_its_owner_only()
        {
            using FakePodRunner runner = Cluster("server", "agent-1");
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("server", "agent-1"), ProbePodKind.Node, Options, null, CancellationToken.None);

            ProbeNamespaceSpec ns = runner.CreatedNamespace!;
            Assert.Matches("^k3snet-[0-9a-f]{8}$", ns.Name);
            Assert.Equal(fleet.Namespace, ns.Name);
            Assert.Equal("k3snet", ns.Labels["app.kubernetes.io/managed-by"]);
            Assert.Equal(ns.Name.Substring("k3snet-".Length), ns.Labels["k3snet.io/run"]);
            Assert.Equal("privileged", ns.Labels["pod-security.kubernetes.io/enforce"]);
            Assert.Equal($"{Environment.UserName}@{Environment.MachineName}", ns.Annotations["k3snet.io/owner"]);
            Assert.Equal(Environment.ProcessId.ToString(), ns.Annotations["k3snet.io/pid"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", ns.Annotations["k3snet.io/started"]);
            Assert.Equal(new[] { "k3snet.io/owner", "k3snet.io/pid", "k3snet.io/purpose", "k3snet.io/started" }, ns.Annotations.Keys.OrderBy(k => k, StringComparer.Ordinal));
        }

        [Fact]
        public async Task Each_node_gets_a_pinned_privileged_host_pod_running_k3s_s_busybox_until_the_deadline()
        {
            using FakePodRunner runner = new(
                FakePodRunner.Node("server"),
                FakePodRunner.Node("agent-1") with { Annotations = new Dictionary<string, string> { ["k3s.io/node-args"] = "[\"agent\",\"--data-dir\",\"/srv/k3s\"]" } });
            ProbeFleetOptions options = Options with { StartTimeout = TimeSpan.FromSeconds(60), ProbeTime = TimeSpan.FromSeconds(120) };
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("server", "agent-1"), ProbePodKind.Node, options, null, CancellationToken.None);

            ProbePodSpec agent = runner.CreatedPods.Single(p => p.NodeName == "agent-1");
            Assert.Equal("k3snet-node-agent-1", agent.Name);
            Assert.Equal(fleet.Namespace, agent.Namespace);
            Assert.True(agent.HostNetwork && agent.HostPid && agent.Privileged && agent.TolerateEverything);
            Assert.Equal("docker.io/rancher/mirrored-pause:3.6", agent.Image);
            Assert.Equal(new[] { "/srv/k3s/data/current/bin/busybox", "sleep", "240" }, agent.Command);
            Assert.Equal(240, agent.ActiveDeadlineSeconds);
            Assert.Equal(new HostPathMount("/srv/k3s/data/current/bin", "/srv/k3s/data/current/bin", true), Assert.Single(agent.HostPaths));
            Assert.Equal("k3snet", agent.Labels["app.kubernetes.io/managed-by"]);
            Assert.Equal(fleet.RunId, agent.Labels["k3snet.io/run"]);
            Assert.Equal("agent-1", agent.Labels["k3snet.io/node"]);
            Assert.Equal("/srv/k3s/data/current/bin", fleet.Nodes[1].ToolDirectory);
            Assert.Equal("/var/lib/rancher/k3s/data/current/bin", fleet.Nodes[0].ToolDirectory);
        }

        [Fact]
        public async Task A_pod_network_pod_is_a_workload_pod_with_NET_RAW()
        {
            using FakePodRunner runner = Cluster("agent-1");
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("agent-1"), ProbePodKind.PodNetwork, Options, null, CancellationToken.None);
            ProbePodSpec pod = Assert.Single(runner.CreatedPods);
            Assert.Equal("k3snet-pod-agent-1", pod.Name);
            Assert.False(pod.HostNetwork || pod.HostPid || pod.Privileged);
            Assert.Equal(new[] { "NET_RAW" }, pod.AddCapabilities);
            Assert.Equal("10.0.0.1", fleet.Nodes[0].PodIP);
        }

        [Fact]
        public async Task Nodes_come_back_in_the_input_order_with_each_pods_own_reason()
        {
            using FakePodRunner runner = new(
                FakePodRunner.Node("server"),
                FakePodRunner.Node("agent-1"),
                FakePodRunner.Node("agent-2"),
                FakePodRunner.Node("bare", "docker.io/rancher/mirrored-coredns-coredns:1.12.3"));
            runner.PodStatuses["agent-1"] = new[]
            {
                FakePodRunner.Status("Pending", waiting: "ContainerCreating"),
                FakePodRunner.Status("Pending", waiting: "ErrImagePull", waitingMessage: "failed to pull and unpack image"),
            };
            runner.PodStatuses["agent-2"] = new[] { FakePodRunner.Status("Failed", reason: "OutOfcpu", message: "Node didn't have enough resource: cpu") };
            var reports = new List<string>();
            var progress = new SynchronousProgress(reports);

            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("agent-2", "server", "bare", "agent-1", "gone"), ProbePodKind.Node, Options, progress, CancellationToken.None);

            Assert.Equal(new[] { "agent-2", "server", "bare", "agent-1", "gone" }, fleet.Nodes.Select(n => n.Node.Name));
            Assert.Equal("OutOfcpu: Node didn't have enough resource: cpu", fleet.Nodes[0].NotReadyReason);
            Assert.True(fleet.Nodes[1].IsReady);
            Assert.Contains("pass -Image", fleet.Nodes[2].NotReadyReason);
            Assert.Equal("ErrImagePull: failed to pull and unpack image", fleet.Nodes[3].NotReadyReason);
            Assert.Contains("no node named gone", fleet.Nodes[4].NotReadyReason);
            Assert.Equal(3, runner.CreatedPods.Count);
            Assert.Contains("agent-1: ErrImagePull: failed to pull and unpack image", reports);
            Assert.Contains("1 of 3 probe pod(s) ready, 2 failed", reports);
        }

        [Fact]
        public async Task A_pod_not_ready_by_the_start_timeout_says_how_far_it_got()
        {
            using FakePodRunner runner = Cluster("server", "slow");
            runner.PodStatuses["slow"] = new[] { FakePodRunner.Status("Pending", waiting: "ContainerCreating") };
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(
                runner, Nodes("server", "slow"), ProbePodKind.Node, Options with { StartTimeout = TimeSpan.FromMilliseconds(300) }, null, CancellationToken.None);
            Assert.True(fleet.Nodes[0].IsReady);
            Assert.Equal("not Ready within 1 s (last seen Pending: ContainerCreating)", fleet.Nodes[1].NotReadyReason);
        }

        [Fact]
        public async Task Dispose_deletes_the_namespace_once_with_a_live_token()
        {
            using FakePodRunner runner = Cluster("server");
            ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("server"), ProbePodKind.Node, Options, null, CancellationToken.None);
            await fleet.DisposeAsync();
            await fleet.DisposeAsync();
            Assert.Equal((fleet.Namespace, true), Assert.Single(runner.Deleted));
            Assert.Null(fleet.CleanupFailure);
        }

        [Fact]
        public async Task Ctrl_C_while_pods_start_still_deletes_the_namespace_with_a_live_token()
        {
            using FakePodRunner runner = Cluster("server", "slow");
            runner.PodStatuses["slow"] = new[] { FakePodRunner.Status("Pending", waiting: "ContainerCreating") };
            using var stop = new CancellationTokenSource();
            Task<ProbeFleet> start = ProbeFleet.StartAsync(runner, Nodes("server", "slow"), ProbePodKind.Node, Options with { StartTimeout = TimeSpan.FromMinutes(5) }, null, stop.Token);
            while (runner.CreatedPods.Count < 2)
            {
                await Task.Delay(10);
            }

            stop.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
            (string name, bool live) = Assert.Single(runner.Deleted);
            Assert.Equal(runner.CreatedNamespace!.Name, name);
            Assert.True(live);
        }

        [Fact]
        public async Task A_refused_pod_ends_the_run_and_leaves_nothing_behind()
        {
            using FakePodRunner runner = Cluster("server", "agent-1");
            runner.CreatePodFailures["*"] = FakePodRunner.Forbidden("create", "pods", "k3snet-x", "pods is forbidden: User \"ops\" cannot create resource \"pods\"");
            ClusterRequestException refused = await Assert.ThrowsAsync<ClusterRequestException>(
                () => ProbeFleet.StartAsync(runner, Nodes("server", "agent-1"), ProbePodKind.Node, Options, null, CancellationToken.None));
            Assert.Equal("pods", refused.Request.Resource);
            Assert.Equal(runner.CreatedNamespace!.Name, Assert.Single(runner.Deleted).Name);
        }

        [Fact]
        public async Task A_refused_namespace_deletes_nothing()
        {
            using FakePodRunner runner = Cluster("server");
            runner.CreateNamespaceFailure = FakePodRunner.Forbidden("create", "namespaces", null, "namespaces is forbidden");
            await Assert.ThrowsAsync<ClusterRequestException>(() => ProbeFleet.StartAsync(runner, Nodes("server"), ProbePodKind.Node, Options, null, CancellationToken.None));
            Assert.Empty(runner.Deleted);
            Assert.Empty(runner.CreatedPods);
        }

        [Fact]
        public async Task Leftovers_of_other_runs_are_reported_and_not_touched()
        {
            using FakePodRunner runner = Cluster("server");
            runner.ExistingNamespaces.Add(new ProbeNamespaceInfo(
                "k3snet-0badc0de",
                new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "k3snet" },
                new Dictionary<string, string> { ["k3snet.io/owner"] = "ops@laptop", ["k3snet.io/pid"] = "4242", ["k3snet.io/started"] = "2026-12-02T08:00:00Z" },
                DateTimeOffset.Parse("2026-12-02T08:00:01Z"),
                Terminating: false));
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("server"), ProbePodKind.Node, Options, null, CancellationToken.None);
            ProbeNamespaceInfo leftover = Assert.Single(fleet.Leftovers);
            Assert.Equal(
                "The namespace k3snet-0badc0de of another K3sNet run is still in the cluster: made by ops@laptop (pid 4242), 1 h 30 min old. If that run has ended, Remove-K3sNetProbe removes it.",
                ProbeRunOwner.DescribeLeftover(leftover, DateTimeOffset.Parse("2026-12-02T09:30:00Z")));
            await fleet.DisposeAsync();
            Assert.DoesNotContain(runner.Deleted, d => d.Name == "k3snet-0badc0de");
        }

        [Fact]
        public async Task Exec_sessions_are_bounded_by_the_throttle_limit()
        {
            using FakePodRunner runner = Cluster("a", "b", "c", "d", "e");
            runner.HoldExec = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("a", "b", "c", "d", "e"), ProbePodKind.Node, Options, null, CancellationToken.None);
            Task<IExecSession>[] opening = fleet.Nodes.Select(n => fleet.OpenSessionAsync(n, new[] { "sh" }, CancellationToken.None)).ToArray();
            await Task.Delay(100);
            Assert.Equal(2, opening.Count(t => t.IsCompleted));
            foreach (Task<IExecSession> open in opening)
            {
                await (await open).DisposeAsync();
            }

            Assert.Equal(2, runner.MaxOpenSessions);
            Assert.Equal(5, runner.Execs.Count);
        }

        [Fact]
        public async Task Run_gives_the_commands_output_and_exit_code()
        {
            using FakePodRunner runner = Cluster("a");
            runner.Exec = (node, command) => ($"{node}: {string.Join(' ', command)}\n", 3);
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("a"), ProbePodKind.PodNetwork, Options, null, CancellationToken.None);
            ProbeExecResult result = await fleet.RunAsync(fleet.Nodes[0], new[] { "ping", "-c", "1" }, TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal(new ProbeExecResult(3, "a: ping -c 1\n", string.Empty, false), result);
        }

        [Fact]
        public async Task A_command_s_time_starts_when_it_runs_not_while_it_waits_for_a_slot_of_the_throttle_limit()
        {
            using FakePodRunner runner = Cluster("a", "b", "c");
            runner.Exec = (node, command) => ($"{node} done\n", 0);
            await using ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("a", "b", "c"), ProbePodKind.PodNetwork, Options, null, CancellationToken.None);
            IExecSession first = await fleet.OpenSessionAsync(fleet.Nodes[0], new[] { "sh" }, CancellationToken.None);
            IExecSession second = await fleet.OpenSessionAsync(fleet.Nodes[1], new[] { "sh" }, CancellationToken.None);

            // Both slots are taken (ThrottleLimit 2) for longer than c's command may take once it runs.
            Task<ProbeExecResult> queued = fleet.RunAsync(fleet.Nodes[2], new[] { "ping" }, TimeSpan.FromMilliseconds(100), CancellationToken.None);
            await Task.Delay(300);
            Assert.False(queued.IsCompleted);
            await first.DisposeAsync();
            ProbeExecResult result = await queued.WaitAsync(TimeSpan.FromSeconds(10));
            await second.DisposeAsync();

            Assert.Equal(new ProbeExecResult(0, "c done\n", string.Empty, false), result);
        }

        [Fact]
        public async Task A_run_costs_two_requests_per_node_and_five_more()
        {
            using FakePodRunner runner = Cluster("a", "b", "c");
            ProbeFleet fleet = await ProbeFleet.StartAsync(runner, Nodes("a", "b", "c"), ProbePodKind.Node, Options, null, CancellationToken.None);
            foreach (ProbeNode node in fleet.Nodes)
            {
                await (await fleet.OpenSessionAsync(node, new[] { "sh" }, CancellationToken.None)).DisposeAsync();
            }

            await fleet.DisposeAsync();
            Assert.Equal((2 * 3) + 5, runner.RequestCount);
            Assert.Equal(1, runner.Calls.Count(c => c == "watch pods"));
            Assert.Equal(3, runner.Calls.Count(c => c == "create pods"));
        }

        private sealed class SynchronousProgress : IProgress<string>
        {
            private readonly List<string> _reports;

            public SynchronousProgress(List<string> reports) => _reports = reports;

            public void Report(string value)
            {
                lock (_reports)
                {
                    _reports.Add(value);
                }
            }
        }
    }
}
