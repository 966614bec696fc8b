using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Cloud.Kubernetes;
using K3sNet.Emulators.KubeApi.Kubelet;
using K3sNet.Kubernetes;
using static K3sNet.Tests.Kubernetes.PodRunnerCluster;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The pod runner's pods and exec against the emulator, whose kubelet runs them with the isolated runtime (real
    /// processes in namespaces of their own): v5 and, on an API server before 1.30, v4; stdin, exit codes, the kubelet's
    /// refusal, RBAC on pods/exec, activeDeadlineSeconds, and how many requests it all takes.
    /// </summary>
    public sealed class PodRunnerExecTests : IAsyncLifetime
    {
        private const string EchoLines = "while read l; do echo \"got $l\"; done";
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
        private readonly List<PodRunnerCluster> _clusters = new();

        public Task InitializeAsync() => Task.CompletedTask;

        /// <summary>Stopping the emulator stops its kubelet's pods: no process it started is left on the machine.</summary>
        public async Task DisposeAsync()
        {
            foreach (PodRunnerCluster cluster in _clusters)
            {
                var marker = ((NamespaceContainerRuntime)cluster.Kubelet.Runtime).Marker;
                await cluster.DisposeAsync();
                Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(marker)));
            }
        }

        [IsolatedFact]
        public async Task A_privileged_host_network_probe_runs_on_its_node_and_the_watch_sees_it_ready_with_the_nodes_address()
        {
            using IPodRunner runner = await RunnerAsync();
            await runner.CreateNamespaceAsync(Namespace("k3snet-run"), CancellationToken.None);
            await runner.CreatePodAsync(Pod("k3snet-run", "probe-k3s-agent-1", "k3s-agent-1") with { HostNetwork = true, HostPid = true, Privileged = true }, CancellationToken.None);

            IReadOnlyList<ProbePodStatus> seen = await WatchUntilAsync(runner, "k3snet-run", p => p.Ready);

            Assert.Equal("Pending", seen[0].Phase);
            Assert.Equal(("Running", true, "10.0.1.21", "10.0.1.21"), (seen[^1].Phase, seen[^1].Ready, seen[^1].PodIP, seen[^1].HostIP));
            await using IExecSession session = await runner.ExecAsync("k3snet-run", "probe-k3s-agent-1", ProbePodSpec.ContainerName, new[] { "ip", "-4", "-o", "addr", "show", "eth0" }, CancellationToken.None);
            (string output, _, int exit) = await ReadAllAsync(session);
            Assert.Equal(0, exit);
            Assert.Contains("inet 10.0.1.21/", output, StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task Over_v5_a_long_lived_shell_answers_line_after_line_and_closing_stdin_ends_it_with_exit_code_0()
        {
            using IPodRunner runner = await RunnerAsync();
            await RunningPodAsync(runner, "k3snet-v5", "probe");

            await using IExecSession session = await runner.ExecAsync("k3snet-v5", "probe", ProbePodSpec.ContainerName, new[] { "sh", "-c", EchoLines }, CancellationToken.None);
            using var output = new StreamReader(session.StandardOutput);

            Assert.Equal(ExecWebSocketBuilder.V5, session.Protocol);
            foreach (string line in new[] { "one", "two", "three" })
            {
                await session.StandardInput.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
                Assert.Equal("got " + line, await output.ReadLineAsync().WaitAsync(Patience));
            }

            Assert.True(session.TryCloseStandardInput());
            Assert.Equal(0, await session.ExitCode.WaitAsync(Patience));
            Assert.Equal(ExecWebSocketBuilder.V5, _clusters[0].Kubelet.NegotiatedProtocols.Single());
        }

        [IsolatedFact]
        public async Task On_an_api_server_before_1_30_exec_falls_back_to_v4_in_one_connection_and_stdin_still_works_without_a_close()
        {
            using IPodRunner runner = await RunnerAsync(serverSpeaksV5: false);
            await RunningPodAsync(runner, "k3snet-v4", "probe");
            int before = runner.RequestCount;

            IExecSession session = await runner.ExecAsync("k3snet-v4", "probe", ProbePodSpec.ContainerName, new[] { "sh", "-c", EchoLines }, CancellationToken.None);
            using var output = new StreamReader(session.StandardOutput);

            Assert.Equal(ExecWebSocketBuilder.V4, session.Protocol);
            Assert.Equal(before + 1, runner.RequestCount);
            foreach (string line in new[] { "one", "two", "three" })
            {
                await session.StandardInput.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
                Assert.Equal("got " + line, await output.ReadLineAsync().WaitAsync(Patience));
            }

            // v4 cannot close stdin: only the command can end, here because the session goes.
            Assert.False(session.TryCloseStandardInput());
            Assert.False(session.ExitCode.IsCompleted);
            await session.DisposeAsync();
            Assert.Equal(new[] { ExecProtocol.V4 }, _clusters[0].Kubelet.NegotiatedProtocols);
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sh", "-c", EchoLines)));
        }

        [IsolatedFact]
        public async Task Closing_stdin_ends_cat_on_v5_and_returns_false_on_v4()
        {
            using IPodRunner runner = await RunnerAsync();
            await RunningPodAsync(runner, "k3snet-cat", "probe");
            await using (IExecSession session = await runner.ExecAsync("k3snet-cat", "probe", ProbePodSpec.ContainerName, new[] { "cat" }, CancellationToken.None))
            {
                await session.StandardInput.WriteAsync(Encoding.UTF8.GetBytes("through cat\n"));
                Assert.True(session.TryCloseStandardInput());
                (string output, _, int exit) = await ReadAllAsync(session);
                Assert.Equal(("through cat\n", 0), (output, exit));
            }

            using IPodRunner older = await RunnerAsync(serverSpeaksV5: false);
            await RunningPodAsync(older, "k3snet-cat", "probe");
            await using (IExecSession session = await older.ExecAsync("k3snet-cat", "probe", ProbePodSpec.ContainerName, new[] { "head", "-c", "6" }, CancellationToken.None))
            {
                Assert.False(session.TryCloseStandardInput());

                // A length-bounded reader needs no close: what v4 callers do instead.
                await session.StandardInput.WriteAsync(Encoding.UTF8.GetBytes("bound\n"));
                (string output, _, int exit) = await ReadAllAsync(session);
                Assert.Equal(("bound\n", 0), (output, exit));
            }
        }

        [IsolatedFact]
        public async Task Parallel_execs_into_several_pods_each_get_their_own_answer_one_connection_each()
        {
            using IPodRunner runner = await RunnerAsync();
            await runner.CreateNamespaceAsync(Namespace("k3snet-fan"), CancellationToken.None);
            string[] nodes = { "k3s-agent-1", "k3s-agent-2", "k3s-gw-1" };
            foreach (string node in nodes)
            {
                await runner.CreatePodAsync(Pod("k3snet-fan", "probe-" + node, node), CancellationToken.None);
            }

            await KubeApiTestPods.UntilAsync(() => runner.ListPodsAsync("k3snet-fan", null, CancellationToken.None), l => l.Count == 3 && l.All(p => p.Ready), "three probes Ready");
            int before = runner.RequestCount;

            (string Node, int Index, string Output, int Exit)[] answers = await Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, 4).Select(async i =>
            {
                await using IExecSession session = await runner.ExecAsync("k3snet-fan", "probe-" + node, ProbePodSpec.ContainerName, new[] { "sh", "-c", $"echo $HOSTNAME {i}; exit {i}" }, CancellationToken.None);
                (string output, _, int exit) = await ReadAllAsync(session);
                return (node, i, output, exit);
            })));

            Assert.Equal(12, answers.Length);
            Assert.All(answers, a => Assert.Equal(($"probe-{a.Node} {a.Index}\n", a.Index), (a.Output, a.Exit)));
            Assert.Equal(before + 12, runner.RequestCount);
        }

        [IsolatedFact]
        public async Task Exit_codes_0_and_3_come_back_and_stderr_is_apart_from_stdout()
        {
            using IPodRunner runner = await RunnerAsync();
            await RunningPodAsync(runner, "k3snet-exit", "probe");

            await using IExecSession ok = await runner.ExecAsync("k3snet-exit", "probe", ProbePodSpec.ContainerName, new[] { "sh", "-c", "echo out; echo err >&2" }, CancellationToken.None);
            await using IExecSession three = await runner.ExecAsync("k3snet-exit", "probe", ProbePodSpec.ContainerName, new[] { "sh", "-c", "echo partial; exit 3" }, CancellationToken.None);

            Assert.Equal(("out\n", "err\n", 0), await ReadAllAsync(ok));
            Assert.Equal(("partial\n", string.Empty, 3), await ReadAllAsync(three));
        }

        [IsolatedFact]
        public async Task A_kubelet_that_refuses_exec_fails_it_with_the_api_servers_error_dialing_backend_over_v5_and_v4()
        {
            using IPodRunner runner = await RunnerAsync();
            await RunningPodAsync(runner, "k3snet-refused", "probe");
            _clusters[0].Kubelet.SetNodeFault("k3s-agent-1", KubeletFault.ExecRefused);

            // 1.30 and later: the upgrade succeeds and the failure is the status on the error channel.
            await using IExecSession session = await runner.ExecAsync("k3snet-refused", "probe", ProbePodSpec.ContainerName, new[] { "true" }, CancellationToken.None);
            var failed = await Assert.ThrowsAsync<ClusterRequestException>(() => session.ExitCode.WaitAsync(Patience));
            Assert.Equal(("create", "pods/exec", "k3snet-refused"), (failed.Request.Verb, failed.Request.Resource, failed.Request.Namespace));
            Assert.Contains("error dialing backend: dial tcp 10.0.1.21:10250: connect: connection refused", failed.Message, StringComparison.Ordinal);

            // Before 1.30: the kubelet's refusal is the upgrade's answer, a 500 with the same Status.
            using IPodRunner older = await RunnerAsync(serverSpeaksV5: false);
            await RunningPodAsync(older, "k3snet-refused", "probe");
            _clusters[1].Kubelet.SetNodeFault("k3s-agent-1", KubeletFault.ExecRefused);
            var refused = await Assert.ThrowsAsync<ClusterRequestException>(() => older.ExecAsync("k3snet-refused", "probe", ProbePodSpec.ContainerName, new[] { "true" }, CancellationToken.None));
            Assert.Equal((ClusterRequestFailure.ApiError, HttpStatusCode.InternalServerError), (refused.Failure, refused.StatusCode));
            Assert.Equal("pods/exec", refused.Request.Resource);
            Assert.Contains("error dialing backend: dial tcp 10.0.1.21:10250: connect: connection refused", refused.Message, StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task RBAC_denying_create_pods_exec_is_Forbidden_naming_it_with_the_authorizers_message()
        {
            using IPodRunner runner = await RunnerAsync();
            await RunningPodAsync(runner, "k3snet-noexec", "probe");
            _clusters[0].Emulator.Access.Forbid("create:pods/exec");

            var denied = await Assert.ThrowsAsync<ClusterRequestException>(() => runner.ExecAsync("k3snet-noexec", "probe", ProbePodSpec.ContainerName, new[] { "true" }, CancellationToken.None));

            Assert.Equal((ClusterRequestFailure.Forbidden, HttpStatusCode.Forbidden), (denied.Failure, denied.StatusCode));
            Assert.Equal(("create", "pods/exec", "k3snet-noexec"), (denied.Request.Verb, denied.Request.Resource, denied.Request.Namespace));
            Assert.Contains("cannot create resource \"pods/exec\"", denied.Message, StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task A_kubelet_that_never_answers_exec_times_out_within_the_connections_timeout_and_says_so()
        {
            using IPodRunner runner = await RunnerAsync(serverSpeaksV5: false, timeout: TimeSpan.FromSeconds(2));
            await RunningPodAsync(runner, "k3snet-hang", "probe");
            _clusters[0].Kubelet.SetNodeFault("k3s-agent-1", KubeletFault.ExecHang);

            var late = await Assert.ThrowsAsync<ClusterRequestException>(() => runner.ExecAsync("k3snet-hang", "probe", ProbePodSpec.ContainerName, new[] { "true" }, CancellationToken.None).WaitAsync(Patience));

            Assert.Equal(ClusterRequestFailure.Timeout, late.Failure);
            Assert.Equal(("create", "pods/exec"), (late.Request.Verb, late.Request.Resource));
            Assert.Contains("2 s", late.Message, StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task ActiveDeadlineSeconds_ends_a_pod_the_run_never_came_back_for_DeadlineExceeded_and_its_process_gone()
        {
            using IPodRunner runner = await RunnerAsync();
            string unique = "4343." + Environment.ProcessId;
            await runner.CreateNamespaceAsync(Namespace("k3snet-deadline"), CancellationToken.None);
            await runner.CreatePodAsync(Pod("k3snet-deadline", "probe", "k3s-agent-2", "sleep", unique) with { ActiveDeadlineSeconds = 2 }, CancellationToken.None);
            await WatchUntilAsync(runner, "k3snet-deadline", p => p.Ready);
            await KubeApiTestPods.UntilAsync(() => Task.FromResult(MachineProcesses.WithCommandLine("sleep", unique).Count), n => n == 1, "the probe's sleep running");

            IReadOnlyList<ProbePodStatus> seen = await WatchUntilAsync(runner, "k3snet-deadline", p => p.Phase == "Failed");

            ProbePodStatus ended = seen[^1];
            Assert.Equal(("Failed", "DeadlineExceeded", false), (ended.Phase, ended.Reason, ended.Ready));
            Assert.Equal("Pod was active on the node longer than the specified deadline", ended.Message);
            Assert.Equal(137, ended.ExitCode);
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sleep", unique)));
        }

        [IsolatedFact]
        public async Task Create_namespace_create_pod_watch_and_exec_take_exactly_four_requests()
        {
            using IPodRunner runner = await RunnerAsync();
            int before = runner.RequestCount;

            await runner.CreateNamespaceAsync(Namespace("k3snet-count"), CancellationToken.None);
            await runner.CreatePodAsync(Pod("k3snet-count", "probe", "k3s-agent-1"), CancellationToken.None);
            await WatchUntilAsync(runner, "k3snet-count", p => p.Ready);
            await using IExecSession session = await runner.ExecAsync("k3snet-count", "probe", ProbePodSpec.ContainerName, new[] { "true" }, CancellationToken.None);
            await ReadAllAsync(session);

            Assert.Equal(before + 4, runner.RequestCount);
        }

        private async Task<IPodRunner> RunnerAsync(bool serverSpeaksV5 = true, TimeSpan? timeout = null)
        {
            var cluster = new PodRunnerCluster { ServerSpeaksV5 = serverSpeaksV5 };
            _clusters.Add(cluster);
            await cluster.InitializeAsync();
            return cluster.Runner(timeout);
        }

        private static async Task RunningPodAsync(IPodRunner runner, string ns, string name)
        {
            await runner.CreateNamespaceAsync(Namespace(ns), CancellationToken.None);
            await runner.CreatePodAsync(Pod(ns, name, "k3s-agent-1"), CancellationToken.None);
            IReadOnlyList<ProbePodStatus> seen = await WatchUntilAsync(runner, ns, p => p.Ready);
            Assert.True(seen.Count > 0 && seen[^1].Ready, $"pod {ns}/{name} never Ready");
        }

        private static async Task<(string Output, string Error, int ExitCode)> ReadAllAsync(IExecSession session)
        {
            Task<string> output = new StreamReader(session.StandardOutput).ReadToEndAsync();
            Task<string> error = new StreamReader(session.StandardError).ReadToEndAsync();
            int exit = await session.ExitCode.WaitAsync(Patience);
            return (await output.WaitAsync(Patience), await error.WaitAsync(Patience), exit);
        }
    }
}
