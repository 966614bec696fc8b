using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Emulators.KubeApi.Kubelet;
using static K3sNet.Tests.Kubernetes.KubeApiTestPods;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>Pods through the real KubernetesClient against the emulator, whose kubelet runs them on a recording runtime.</summary>
    public sealed class EmulatorPodTests : IAsyncLifetime
    {
        private readonly RecordingContainerRuntime _runtime = new();
        private readonly EmulatorCluster _cluster;
        private k8s.Kubernetes _client = null!;

        public EmulatorPodTests() => _cluster = new EmulatorCluster { Runtime = _runtime };

        public async Task InitializeAsync()
        {
            await _cluster.InitializeAsync();
            _client = _cluster.Client();
            await NamespaceAsync(_client, "k3snet-pods");
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _cluster.DisposeAsync();
        }

        [Fact]
        public async Task A_pinned_probe_pod_runs_with_the_spec_it_was_given_and_reports_running_as_a_kubelet_does()
        {
            V1Pod probe = Pod("probe-agent-1", node: "k3s-agent-1");
            probe.Spec.HostNetwork = true;
            probe.Spec.HostPID = true;
            probe.Spec.Tolerations = new List<V1Toleration> { new() { OperatorProperty = "Exists" } };
            probe.Spec.Volumes = new List<V1Volume> { new() { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/" } } };
            V1Container container = probe.Spec.Containers[0];
            container.Command = new List<string> { "nsenter" };
            container.Args = new List<string> { "-t", "1", "-n", "--", "sleep", "3600" };
            container.SecurityContext = new V1SecurityContext { Privileged = true };
            container.VolumeMounts = new List<V1VolumeMount> { new() { Name = "host", MountPath = "/host", ReadOnlyProperty = true } };

            V1Pod created = await _client.CoreV1.CreateNamespacedPodAsync(probe, "k3snet-pods");

            Assert.Equal("Pending", created.Status.Phase);
            Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
            Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
            Assert.NotNull(created.Metadata.CreationTimestamp);
            V1Pod running = await UntilPodAsync(_client, "k3snet-pods", "probe-agent-1", p => p.Status.Phase == "Running", "Running");
            Assert.Equal(("10.0.1.21", "10.0.1.21", "10.0.1.21"), (running.Status.PodIP, running.Status.HostIP, running.Status.PodIPs.Single().Ip));
            Assert.NotNull(running.Status.StartTime);
            Assert.Equal(new[] { "True", "True", "True", "True" }, new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready" }.Select(c => Condition(running, c)));
            V1ContainerStatus status = Container(running);
            Assert.True(status.Ready && status.Started == true);
            Assert.NotNull(status.State.Running.StartedAt);
            Assert.Equal(("docker.io/library/busybox:1.36", 0), (status.Image, status.RestartCount));

            PodLaunch launch = Assert.Single(_runtime.Started);
            Assert.Equal((created.Metadata.Uid, "k3snet-pods", "probe-agent-1", "k3s-agent-1", true, true), (launch.Uid, launch.Namespace, launch.Name, launch.NodeName, launch.HostNetwork, launch.HostPid));
            ContainerLaunch started = Assert.Single(launch.Containers);
            Assert.Equal(new[] { "nsenter" }, started.Command);
            Assert.Equal(new[] { "-t", "1", "-n", "--", "sleep", "3600" }, started.Args);
            Assert.True(started.Privileged);
            Assert.Equal(new HostPathMount("/", "/host", true), Assert.Single(started.Mounts));

            PodLaunch? found = _cluster.Emulator.Pods.Find("k3snet-pods", "probe-agent-1", out string phase);
            Assert.Equal(("Running", launch.Uid), (phase, found?.Uid));
            Assert.Null(_cluster.Emulator.Pods.Find("k3snet-pods", "no-such-pod", out _));
        }

        [Fact]
        public async Task A_pod_without_nodeName_is_scheduled_on_a_node_whose_taints_it_tolerates_and_gets_a_pod_ip_from_its_cidr()
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("free"), "k3snet-pods");

            V1Pod running = await UntilPodAsync(_client, "k3snet-pods", "free", p => p.Status.Phase == "Running", "Running");

            Assert.NotEqual("k3s-server-1", running.Spec.NodeName);
            Assert.False(string.IsNullOrEmpty(running.Spec.NodeName));
            Assert.Equal("True", Condition(running, "PodScheduled"));
            Assert.StartsWith("10.42.", running.Status.PodIP, StringComparison.Ordinal);
            Assert.NotEqual(running.Status.HostIP, running.Status.PodIP);
        }

        [Fact]
        public async Task Lists_pods_by_label_and_field_selectors_in_a_namespace_and_across_all()
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("a1", "k3s-agent-1", labels: new Dictionary<string, string> { ["app"] = "probe", ["run"] = "r1" }), "k3snet-pods");
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("a2", "k3s-agent-2", labels: new Dictionary<string, string> { ["app"] = "probe", ["run"] = "r1" }), "k3snet-pods");
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("other", "k3s-agent-2", labels: new Dictionary<string, string> { ["app"] = "other" }), "k3snet-pods");
            await UntilPodAsync(_client, "k3snet-pods", "a2", p => p.Status.Phase == "Running", "Running");

            Names(await _client.CoreV1.ListNamespacedPodAsync("k3snet-pods", labelSelector: "app=probe")).Is("a1", "a2");
            Names(await _client.CoreV1.ListNamespacedPodAsync("k3snet-pods", fieldSelector: "spec.nodeName=k3s-agent-2")).Is("a2", "other");
            Names(await _client.CoreV1.ListNamespacedPodAsync("k3snet-pods", labelSelector: "run=r1", fieldSelector: "spec.nodeName=k3s-agent-2,metadata.name!=other")).Is("a2");
            Names(await _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.namespace=kube-system")).Is("coredns-ccb96694c-x7k2p", "metrics-server-5985cbc9d7-q2lx8");
            Names(await _client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app", fieldSelector: "status.phase=Running,metadata.name=a1")).Is("a1");
            Names(await _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "status.phase!=Running,metadata.namespace=k3snet-pods")).Is();

            var (code, status) = await FailureAsync(() => _client.CoreV1.ListNamespacedPodAsync("k3snet-pods", fieldSelector: "spec.restartPolicy=Never"));
            Assert.Equal((HttpStatusCode.BadRequest, "field label not supported: spec.restartPolicy"), (code, status.Message));
        }

        [Fact]
        public async Task A_watch_sees_the_pod_added_then_running_then_deleted()
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var events = new List<(WatchEventType Type, string Phase, bool Terminating)>();
            V1PodList before = await _client.CoreV1.ListNamespacedPodAsync("k3snet-pods");
            Task watching = Task.Run(async () =>
            {
                await foreach ((WatchEventType type, V1Pod pod) in _client.CoreV1.WatchListNamespacedPodAsync(
                    "k3snet-pods", fieldSelector: "metadata.name=watched", resourceVersion: before.Metadata.ResourceVersion, timeoutSeconds: 60, cancellationToken: cancel.Token))
                {
                    events.Add((type, pod.Status?.Phase ?? string.Empty, pod.Metadata.DeletionTimestamp is not null));
                    if (type == WatchEventType.Deleted)
                    {
                        break;
                    }
                }
            });

            await _client.CoreV1.CreateNamespacedPodAsync(Pod("watched", "k3s-agent-1"), "k3snet-pods");
            await UntilPodAsync(_client, "k3snet-pods", "watched", p => p.Status.Phase == "Running", "Running");
            await _client.CoreV1.DeleteNamespacedPodAsync("watched", "k3snet-pods");
            await watching.WaitAsync(cancel.Token);

            Assert.Equal((WatchEventType.Added, "Pending"), (events[0].Type, events[0].Phase));
            Assert.Contains(events, e => e.Type == WatchEventType.Modified && e.Phase == "Running");
            Assert.Contains(events, e => e.Type == WatchEventType.Modified && e.Terminating);
            Assert.Equal(WatchEventType.Deleted, events[^1].Type);
            Assert.Single(events, e => e.Type == WatchEventType.Deleted);
        }

        [Fact]
        public async Task A_watch_without_a_resourceVersion_starts_with_the_pods_that_exist_and_ends_at_timeoutSeconds()
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("existing", "k3s-agent-1"), "k3snet-pods");
            var seen = new List<(WatchEventType, string)>();

            await foreach ((WatchEventType type, V1Pod pod) in _client.CoreV1.WatchListNamespacedPodAsync("k3snet-pods", labelSelector: "app=probe", timeoutSeconds: 1))
            {
                seen.Add((type, pod.Metadata.Name));
            }

            Assert.Equal((WatchEventType.Added, "existing"), seen[0]);
            Assert.All(seen, e => Assert.Equal("existing", e.Item2));
            Assert.Contains(_cluster.Emulator.Requests, r => r.PathAndQuery.Contains("watch=true", StringComparison.Ordinal) && r.StatusCode == 200);
        }

        [Fact]
        public async Task A_deleted_pod_is_terminating_then_stopped_by_the_runtime_then_gone_and_grace_zero_is_immediate()
        {
            V1Pod created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("graceful", "k3s-agent-1"), "k3snet-pods");
            await UntilPodAsync(_client, "k3snet-pods", "graceful", p => p.Status.Phase == "Running", "Running");

            V1Pod deleted = await _client.CoreV1.DeleteNamespacedPodAsync("graceful", "k3snet-pods");

            Assert.NotNull(deleted.Metadata.DeletionTimestamp);
            Assert.Equal(30, deleted.Metadata.DeletionGracePeriodSeconds);
            await UntilGoneAsync(_client, "k3snet-pods", "graceful");
            Assert.Contains(created.Metadata.Uid, _runtime.Stopped);

            V1Pod immediate = await _client.CoreV1.CreateNamespacedPodAsync(Pod("immediate", "k3s-agent-2"), "k3snet-pods");
            await UntilPodAsync(_client, "k3snet-pods", "immediate", p => p.Status.Phase == "Running", "Running");
            await _client.CoreV1.DeleteNamespacedPodAsync("immediate", "k3snet-pods", gracePeriodSeconds: 0);
            var (code, _) = await FailureAsync(() => _client.CoreV1.ReadNamespacedPodAsync("immediate", "k3snet-pods"));
            Assert.Equal(HttpStatusCode.NotFound, code);
            await UntilAsync(() => Task.FromResult(_runtime.Stopped), s => s.Contains(immediate.Metadata.Uid), "the runtime stopping the pod");
            Assert.Empty(_runtime.Running);
        }

        [Theory]
        [InlineData(0, "Succeeded", "Completed")]
        [InlineData(3, "Failed", "Error")]
        public async Task A_container_that_exits_ends_a_restartPolicy_Never_pod_with_its_exit_code(int exitCode, string phase, string reason)
        {
            V1Pod created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("once", "k3s-agent-1", restartPolicy: "Never"), "k3snet-pods");
            await UntilPodAsync(_client, "k3snet-pods", "once", p => p.Status.Phase == "Running", "Running");

            _runtime.Exit(created.Metadata.Uid, "probe", exitCode);

            V1Pod done = await UntilPodAsync(_client, "k3snet-pods", "once", p => p.Status.Phase == phase, phase);
            V1ContainerStateTerminated terminated = Container(done).State.Terminated;
            Assert.Equal((exitCode, reason), (terminated.ExitCode, terminated.Reason));
            Assert.NotNull(terminated.FinishedAt);
            Assert.Equal("False", Condition(done, "Ready"));
        }

        [Fact]
        public async Task A_failed_container_of_an_OnFailure_pod_is_restarted_and_counted()
        {
            V1Pod created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("again", "k3s-agent-1", restartPolicy: "OnFailure"), "k3snet-pods");
            await UntilPodAsync(_client, "k3snet-pods", "again", p => p.Status.Phase == "Running", "Running");

            _runtime.Exit(created.Metadata.Uid, "probe", 1);

            V1Pod restarted = await UntilPodAsync(_client, "k3snet-pods", "again", p => Container(p).RestartCount == 1 && Container(p).State.Running is not null, "a restart");
            Assert.Equal(("Running", 1), (restarted.Status.Phase, Container(restarted).LastState.Terminated.ExitCode));
            Assert.Equal(2, _runtime.Started.Count);
        }

        [Fact]
        public async Task Creating_is_refused_as_the_api_server_refuses_it()
        {
            V1Pod noContainers = Pod("empty");
            noContainers.Spec.Containers = new List<V1Container>();
            var (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(noContainers, "k3snet-pods"));
            Assert.Equal((HttpStatusCode.UnprocessableEntity, "Invalid", "Pod \"empty\" is invalid: spec.containers: Required value"), (code, status.Reason, status.Message));

            (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Pod("Bad_Name"), "k3snet-pods"));
            Assert.Equal((HttpStatusCode.UnprocessableEntity, "Invalid"), (code, status.Reason));
            Assert.StartsWith("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", status.Message, StringComparison.Ordinal);

            (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Pod("lost"), "k3snet-nowhere"));
            Assert.Equal((HttpStatusCode.NotFound, "NotFound", "namespaces \"k3snet-nowhere\" not found"), (code, status.Reason, status.Message));

            await _client.CoreV1.CreateNamespacedPodAsync(Pod("twice", "k3s-agent-1"), "k3snet-pods");
            (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Pod("twice", "k3s-agent-1"), "k3snet-pods"));
            Assert.Equal((HttpStatusCode.Conflict, "AlreadyExists", "pods \"twice\" already exists"), (code, status.Reason, status.Message));

            V1Pod generated = Pod(null!);
            generated.Metadata.GenerateName = "node-debugger-k3s-agent-1-";
            V1Pod named = await _client.CoreV1.CreateNamespacedPodAsync(generated, "k3snet-pods");
            Assert.Matches("^node-debugger-k3s-agent-1-[bcdfghjklmnpqrstvwxz2456789]{5}$", named.Metadata.Name);

            Assert.Equal(1 + 1 + 1 + 2 + 1, _cluster.Emulator.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.Contains("/pods", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task Disposing_the_emulator_stops_every_pod_it_started_through_the_runtime()
        {
            var runtime = new RecordingContainerRuntime();
            var cluster = new EmulatorCluster { Runtime = runtime };
            await cluster.InitializeAsync();
            using (k8s.Kubernetes client = cluster.Client())
            {
                await client.CoreV1.CreateNamespacedPodAsync(Pod("p1", "k3s-agent-1"), "default");
                await client.CoreV1.CreateNamespacedPodAsync(Pod("p2", "k3s-agent-2"), "default");
                await UntilAsync(() => Task.FromResult(runtime.Running.Count), n => n == 2, "two running pods");
            }

            await cluster.DisposeAsync();

            Assert.Empty(runtime.Running);
            Assert.Equal(runtime.Started.Select(p => p.Uid).Order(), runtime.Stopped.Order());
        }

        private static string[] Names(V1PodList list) => list.Items.Select(p => p.Metadata.Name).ToArray();
    }

    internal static class NameListAssertions
    {
        public static void Is(this string[] names, params string[] expected) => Assert.Equal(expected, names);
    }
}
