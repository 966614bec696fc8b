using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Cloud;
using K3sNet.Kubernetes;
using static K3sNet.Tests.Kubernetes.PodRunnerCluster;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The pod runner (KubernetesClient) against the emulator's API, its kubelet on a recording runtime that runs no
    /// process: namespaces, pods as created and as reported, the watch, services, nodes, and the refusals a user meets.
    /// </summary>
    public sealed class PodRunnerApiTests : IAsyncLifetime
    {
        private readonly RecordingContainerRuntime _runtime = new();
        private readonly PodRunnerCluster _cluster;
        private IPodRunner _runner = null!;

        public PodRunnerApiTests() => _cluster = new PodRunnerCluster { Runtime = _runtime };

        public async Task InitializeAsync()
        {
            await _cluster.InitializeAsync();
            _runner = _cluster.Runner();
        }

        public async Task DisposeAsync()
        {
            _runner.Dispose();
            await _cluster.DisposeAsync();
        }

        [Fact]
        public async Task A_namespace_keeps_its_labels_and_annotations_is_found_by_its_label_and_deleting_it_twice_is_no_error()
        {
            await _runner.CreateNamespaceAsync(new ProbeNamespaceSpec(
                "k3snet-ab12c",
                new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "k3snet", ["k3snet.io/run"] = "ab12c" },
                new Dictionary<string, string> { ["k3snet.io/started"] = "2026-12-02T09:00:00Z", ["k3snet.io/owner"] = "laptop/4242" }), CancellationToken.None);
            await _runner.CreateNamespaceAsync(Namespace("other", new Dictionary<string, string> { ["team"] = "a" }), CancellationToken.None);

            ProbeNamespaceInfo found = Assert.Single(await _runner.ListNamespacesAsync("app.kubernetes.io/managed-by=k3snet", CancellationToken.None));

            Assert.Equal("k3snet-ab12c", found.Name);
            Assert.Equal("ab12c", found.Labels["k3snet.io/run"]);
            Assert.Equal("laptop/4242", found.Annotations["k3snet.io/owner"]);
            Assert.Equal("2026-12-02T09:00:00Z", found.Annotations["k3snet.io/started"]);
            Assert.False(found.Terminating);
            Assert.NotNull(found.Created);
            Assert.True(Math.Abs((DateTimeOffset.UtcNow - found.Created!.Value).TotalMinutes) < 5, $"created {found.Created}");

            await _runner.DeleteNamespaceAsync("k3snet-ab12c", CancellationToken.None);
            IReadOnlyList<ProbeNamespaceInfo> left = await KubeApiTestPods.UntilAsync(
                () => _runner.ListNamespacesAsync("app.kubernetes.io/managed-by=k3snet", CancellationToken.None), l => l.Count == 0, "the namespace gone");
            Assert.Empty(left);
            await _runner.DeleteNamespaceAsync("k3snet-ab12c", CancellationToken.None);
            Assert.Equal("other", Assert.Single(await _runner.ListNamespacesAsync("team=a", CancellationToken.None)).Name);
        }

        [Fact]
        public async Task A_probe_pod_reaches_the_api_with_the_spec_a_probe_needs()
        {
            await _runner.CreateNamespaceAsync(Namespace("k3snet-spec"), CancellationToken.None);
            ProbePodSpec spec = Pod("k3snet-spec", "probe-k3s-agent-1", "k3s-agent-1", "sleep", "600") with
            {
                HostNetwork = true,
                HostPid = true,
                Privileged = true,
                AddCapabilities = new[] { "NET_RAW", "NET_ADMIN" },
                HostPaths = new[] { new HostPathMount("/var/lib/rancher/k3s/data/current/bin", "/k3s/bin"), new HostPathMount("/run", "/host/run", ReadOnly: false) },
                ActiveDeadlineSeconds = 300,
            };

            await _runner.CreatePodAsync(spec, CancellationToken.None);

            using k8s.Kubernetes client = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(_cluster.KubeconfigPath));
            V1Pod stored = await client.CoreV1.ReadNamespacedPodAsync("probe-k3s-agent-1", "k3snet-spec");
            Assert.Equal(("k3s-agent-1", true, true, "Never", 0L, 300L), (stored.Spec.NodeName, stored.Spec.HostNetwork, stored.Spec.HostPID, stored.Spec.RestartPolicy, stored.Spec.TerminationGracePeriodSeconds, stored.Spec.ActiveDeadlineSeconds));
            Assert.Equal((false, false), (stored.Spec.AutomountServiceAccountToken, stored.Spec.EnableServiceLinks));
            Assert.Contains(stored.Spec.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null && t.Effect is null);
            Assert.Equal("k3snet-probe", stored.Metadata.Labels["app.kubernetes.io/name"]);
            V1Container container = Assert.Single(stored.Spec.Containers);
            Assert.Equal((ProbePodSpec.ContainerName, "docker.io/rancher/mirrored-library-busybox:1.37.0", "IfNotPresent"), (container.Name, container.Image, container.ImagePullPolicy));
            Assert.Equal(new[] { "sleep", "600" }, container.Command);
            Assert.True(container.SecurityContext.Privileged);
            Assert.Equal(new[] { "NET_RAW", "NET_ADMIN" }, container.SecurityContext.Capabilities.Add);
            Assert.Equal(
                new[] { ("/var/lib/rancher/k3s/data/current/bin", "Directory", "/k3s/bin", true), ("/run", "Directory", "/host/run", false) },
                container.VolumeMounts.Select(m => stored.Spec.Volumes.Single(v => v.Name == m.Name)).Zip(container.VolumeMounts)
                    .Select(p => (p.First.HostPath.Path, p.First.HostPath.Type, p.Second.MountPath, p.Second.ReadOnlyProperty == true)));

            // What the kubelet was handed: the same pod, pinned, privileged, with both host paths.
            Assert.True(await KubeApiTestPods.UntilAsync(() => Task.FromResult(_runtime.Started.Count), n => n == 1, "the pod started") == 1);
            var launch = Assert.Single(_runtime.Started);
            Assert.Equal(("k3s-agent-1", true, true, true), (launch.NodeName, launch.HostNetwork, launch.HostPid, launch.Containers.Single().Privileged));
            Assert.Equal(2, launch.Containers.Single().Mounts.Count);
        }

        [Fact]
        public async Task The_watch_starts_with_the_pods_that_exist_and_follows_a_new_pod_from_pending_to_running_and_ready()
        {
            await _runner.CreateNamespaceAsync(Namespace("k3snet-watch"), CancellationToken.None);
            await _runner.CreatePodAsync(Pod("k3snet-watch", "existing", "k3s-agent-1"), CancellationToken.None);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var seen = new List<ProbePodStatus>();
            var first = new TaskCompletionSource();
            Task watching = Task.Run(async () =>
            {
                await foreach (ProbePodStatus pod in _runner.WatchPodsAsync("k3snet-watch", null, stop.Token))
                {
                    lock (seen)
                    {
                        seen.Add(pod);
                    }

                    first.TrySetResult();
                    if (pod.Name == "probe-k3s-agent-2" && pod.Ready)
                    {
                        return;
                    }
                }
            });
            await first.Task.WaitAsync(stop.Token);

            await _runner.CreatePodAsync(Pod("k3snet-watch", "probe-k3s-agent-2", "k3s-agent-2") with { HostNetwork = true }, CancellationToken.None);
            await watching.WaitAsync(stop.Token);

            ProbePodStatus[] all = Snapshot(seen);
            Assert.Equal(("existing", "k3snet-watch"), (all[0].Name, all[0].Namespace));
            ProbePodStatus[] added = all.Where(p => p.Name == "probe-k3s-agent-2").ToArray();
            Assert.Equal(("Pending", false), (added[0].Phase, added[0].Ready));
            Assert.Contains(added, p => p.Phase == "Pending" && p.WaitingReason == "ContainerCreating");
            ProbePodStatus ready = added[^1];
            Assert.Equal(("Running", "10.0.1.22", "10.0.1.22", "k3s-agent-2", true), (ready.Phase, ready.PodIP, ready.HostIP, ready.NodeName, ready.Ready));
            Assert.Equal("k3snet-probe", ready.Labels["app.kubernetes.io/name"]);
            Assert.DoesNotContain(all, p => p.Deleted);
        }

        [Fact]
        public async Task A_pod_whose_image_cannot_be_pulled_reports_ErrImagePull_then_ImagePullBackOff_with_the_kubelets_message()
        {
            await _runner.CreateNamespaceAsync(Namespace("k3snet-pull"), CancellationToken.None);
            await _runner.CreatePodAsync(Pod("k3snet-pull", "probe-k3s-agent-1", "k3s-agent-1") with { Image = "fault.k3snet.invalid/image-pull:1.0" }, CancellationToken.None);

            IReadOnlyList<ProbePodStatus> seen = await WatchUntilAsync(_runner, "k3snet-pull", p => p.WaitingReason == "ImagePullBackOff");

            ProbePodStatus pull = Assert.Single(seen, p => p.WaitingReason == "ErrImagePull");
            Assert.Equal("Pending", pull.Phase);
            Assert.Contains("fault.k3snet.invalid/image-pull:1.0", pull.WaitingMessage, StringComparison.Ordinal);
            Assert.Equal("Back-off pulling image \"fault.k3snet.invalid/image-pull:1.0\"", seen[^1].WaitingMessage);
            Assert.False(seen[^1].Ready);
        }

        [Fact]
        public async Task A_deleted_pod_arrives_as_Deleted_and_a_watch_the_server_ends_is_resumed_without_replaying_or_losing_changes()
        {
            // A cluster whose server ends every watch after 500 ms, as an API server does after its request timeout.
            var cluster = new PodRunnerCluster { Runtime = new RecordingContainerRuntime(), MaxWatchDuration = TimeSpan.FromMilliseconds(500) };
            await cluster.InitializeAsync();
            try
            {
                using IPodRunner runner = cluster.Runner();
                await runner.CreateNamespaceAsync(Namespace("k3snet-resume"), CancellationToken.None);
                await runner.CreatePodAsync(Pod("k3snet-resume", "first", "k3s-agent-1"), CancellationToken.None);
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var seen = new List<ProbePodStatus>();
                Task watching = Task.Run(async () =>
                {
                    await foreach (ProbePodStatus pod in runner.WatchPodsAsync("k3snet-resume", "app.kubernetes.io/name=k3snet-probe", stop.Token))
                    {
                        lock (seen)
                        {
                            seen.Add(pod);
                        }

                        if (pod.Name == "second" && pod.Deleted)
                        {
                            return;
                        }
                    }
                });

                // These changes come on later watch requests than the first.
                await Task.Delay(TimeSpan.FromSeconds(1.5));
                await runner.CreatePodAsync(Pod("k3snet-resume", "second", "k3s-agent-2"), CancellationToken.None);
                await KubeApiTestPods.UntilAsync(() => Task.FromResult(Snapshot(seen).Any(p => p.Name == "second" && p.Ready) || watching.IsCompleted), r => r, "second Ready through the watch");
                Assert.False(watching.IsCompleted, $"The watch ended: {watching.Exception}");
                await Task.Delay(TimeSpan.FromSeconds(1));
                using (k8s.Kubernetes client = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath)))
                {
                    await client.CoreV1.DeleteNamespacedPodAsync("second", "k3snet-resume");
                }

                await watching.WaitAsync(stop.Token);

                ProbePodStatus[] all = Snapshot(seen);
                Assert.True(all[^1].Deleted);
                Assert.Equal("second", all[^1].Name);
                Assert.DoesNotContain(all[..^1], p => p.Deleted);
                int watches = cluster.Emulator.Requests.Count(r => r.PathAndQuery.Contains("watch=true", StringComparison.Ordinal));
                Assert.True(watches >= 3, $"{watches} watch requests");

                // Each resumed watch starts from the last resourceVersion seen: "first", Ready long before, is not replayed.
                var first = all.Where(p => p.Name == "first").Select(p => (p.Phase, p.Ready, p.WaitingReason, p.PodIP)).ToArray();
                Assert.Contains(first, f => f.Phase == "Running" && f.Ready && f.PodIP!.StartsWith("10.42.1.", StringComparison.Ordinal));
                Assert.Equal(first.Length, first.Distinct().Count());
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }

        [Fact]
        public async Task A_quiet_watch_outlives_the_request_timeout_and_still_reports_the_next_change()
        {
            using IPodRunner runner = _cluster.Runner(TimeSpan.FromSeconds(1));
            await runner.CreateNamespaceAsync(Namespace("k3snet-quiet"), CancellationToken.None);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var seen = new List<ProbePodStatus>();
            Task watching = Task.Run(async () =>
            {
                await foreach (ProbePodStatus pod in runner.WatchPodsAsync("k3snet-quiet", null, stop.Token))
                {
                    seen.Add(pod);
                    return;
                }
            });

            // Three times the timeout with nothing to report: a watch waits; only requests give up.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(watching.IsCompleted, $"The watch ended: {watching.Exception}");
            await runner.CreatePodAsync(Pod("k3snet-quiet", "late", "k3s-agent-1"), CancellationToken.None);
            await watching.WaitAsync(stop.Token);

            Assert.Equal("late", Assert.Single(seen).Name);
        }

        [Fact]
        public async Task A_probe_from_an_image_its_node_holds_pulls_nothing_and_one_from_another_image_is_a_pull_on_that_node()
        {
            await _runner.CreateNamespaceAsync(Namespace("k3snet-pulls"), CancellationToken.None);
            await _runner.CreatePodAsync(Pod("k3snet-pulls", "held-full", "k3s-agent-2") with { Image = "docker.io/rancher/mirrored-pause:3.6" }, CancellationToken.None);
            await _runner.CreatePodAsync(Pod("k3snet-pulls", "held-short", "k3s-agent-3") with { Image = "rancher/klipper-lb:v0.4.13" }, CancellationToken.None);
            await _runner.CreatePodAsync(Pod("k3snet-pulls", "held-elsewhere", "k3s-agent-1"), CancellationToken.None);
            await _runner.CreatePodAsync(Pod("k3snet-pulls", "missing", "k3s-agent-2"), CancellationToken.None);
            await KubeApiTestPods.UntilAsync(() => _runner.ListPodsAsync("k3snet-pulls", null, CancellationToken.None), l => l.Count == 4 && l.All(p => p.Ready), "four probes Ready");

            // busybox is on k3s-agent-1 (a local-path volume was provisioned there), not on k3s-agent-2.
            Assert.Equal(new[] { new K3sNet.Emulators.KubeApi.ImagePull("k3s-agent-2", "docker.io/rancher/mirrored-library-busybox:1.37.0") }, _cluster.Emulator.PulledImages);
        }

        [Fact]
        public async Task Services_and_the_cluster_dns_pods_are_read_and_a_missing_service_is_null()
        {
            ClusterServiceInfo? dns = await _runner.ReadServiceAsync("kube-system", "kube-dns", CancellationToken.None);
            ClusterServiceInfo? api = await _runner.ReadServiceAsync("default", "kubernetes", CancellationToken.None);

            Assert.NotNull(dns);
            Assert.Equal(("kube-dns", "kube-system", "10.43.0.10"), (dns!.Name, dns.Namespace, dns.ClusterIP));
            Assert.Equal(new[] { ("dns", "UDP", 53), ("dns-tcp", "TCP", 53), ("metrics", "TCP", 9153) }, dns.Ports.Select(p => (p.Name!, p.Protocol, p.Port)));
            Assert.Equal(("10.43.0.1", 443), (api!.ClusterIP, api.Ports.Single().Port));
            Assert.Null(await _runner.ReadServiceAsync("kube-system", "no-such-service", CancellationToken.None));

            ProbePodStatus coredns = Assert.Single(await _runner.ListPodsByLabelAsync("kube-system", "k8s-app=kube-dns", CancellationToken.None));
            Assert.Equal(("coredns-ccb96694c-x7k2p", "10.42.0.4", "Running"), (coredns.Name, coredns.PodIP, coredns.Phase));
        }

        [Fact]
        public async Task Nodes_carry_their_architecture_and_every_name_of_every_image_they_hold()
        {
            IReadOnlyList<NodeFacts> nodes = await _runner.ListNodesAsync(CancellationToken.None);

            NodeFacts agent3 = nodes.Single(n => n.Name == "k3s-agent-3");
            NodeFacts server = nodes.Single(n => n.Name == "k3s-server-1");
            Assert.Equal(("arm64", "amd64"), (agent3.Architecture, server.Architecture));
            Assert.Contains("docker.io/rancher/mirrored-pause:3.6", agent3.Images);
            Assert.Contains(agent3.Images, i => i.StartsWith("docker.io/rancher/mirrored-pause@sha256:", StringComparison.Ordinal));
            Assert.Contains("docker.io/rancher/mirrored-coredns-coredns:1.12.3", server.Images);
            Assert.DoesNotContain("docker.io/rancher/mirrored-coredns-coredns:1.12.3", agent3.Images);
            Assert.Contains("docker.io/rancher/klipper-lb:v0.4.13", server.Images);
            Assert.Equal(server.Images.Count, server.Images.Distinct().Count());
            Assert.Equal(7, nodes.Count);
        }

        [Fact]
        public async Task A_verb_RBAC_denies_fails_with_Forbidden_naming_the_verb_and_resource_and_keeping_the_api_message()
        {
            _cluster.Emulator.Access.Forbid("create:pods");
            await _runner.CreateNamespaceAsync(Namespace("k3snet-rbac"), CancellationToken.None);

            var denied = await Assert.ThrowsAsync<ClusterRequestException>(() => _runner.CreatePodAsync(Pod("k3snet-rbac", "probe", "k3s-agent-1"), CancellationToken.None));

            Assert.Equal((ClusterRequestFailure.Forbidden, HttpStatusCode.Forbidden), (denied.Failure, denied.StatusCode));
            Assert.Equal(("create", "pods", "k3snet-rbac"), (denied.Request.Verb, denied.Request.Resource, denied.Request.Namespace));
            Assert.Contains("cannot create resource \"pods\"", denied.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("create", "namespaces", null)]
        [InlineData("list", "namespaces", null)]
        [InlineData("delete", "namespaces", null)]
        [InlineData("list", "pods", "k3snet-verbs")]
        [InlineData("watch", "pods", "k3snet-verbs")]
        [InlineData("get", "services", "kube-system")]
        [InlineData("list", "nodes", null)]
        public async Task Every_call_RBAC_denies_names_its_verb_resource_and_namespace(string verb, string resource, string? ns)
        {
            await _runner.CreateNamespaceAsync(Namespace("k3snet-verbs"), CancellationToken.None);
            _cluster.Emulator.Access.Forbid($"{verb}:{resource}");
            Func<Task> call = (verb, resource) switch
            {
                ("create", "namespaces") => () => _runner.CreateNamespaceAsync(Namespace("k3snet-denied"), CancellationToken.None),
                ("list", "namespaces") => () => _runner.ListNamespacesAsync("app.kubernetes.io/managed-by=k3snet", CancellationToken.None),
                ("delete", "namespaces") => () => _runner.DeleteNamespaceAsync("k3snet-verbs", CancellationToken.None),
                ("list", "pods") => () => _runner.ListPodsAsync("k3snet-verbs", null, CancellationToken.None),
                ("watch", "pods") => async () =>
                {
                    await foreach (ProbePodStatus _ in _runner.WatchPodsAsync("k3snet-verbs", null, CancellationToken.None))
                    {
                    }
                },
                ("get", "services") => () => _runner.ReadServiceAsync("kube-system", "kube-dns", CancellationToken.None),
                _ => () => _runner.ListNodesAsync(CancellationToken.None),
            };

            var denied = await Assert.ThrowsAsync<ClusterRequestException>(call);

            Assert.Equal(ClusterRequestFailure.Forbidden, denied.Failure);
            Assert.Equal((verb, resource, ns), (denied.Request.Verb, denied.Request.Resource, denied.Request.Namespace));
            Assert.Contains($"cannot {verb} resource \"{resource}\"", denied.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Pod_Security_refusing_a_privileged_pod_is_Forbidden_with_the_admission_message_naming_the_level()
        {
            await _runner.CreateNamespaceAsync(Namespace("k3snet-pss", new Dictionary<string, string>
            {
                ["app.kubernetes.io/managed-by"] = "k3snet",
                ["pod-security.kubernetes.io/enforce"] = "baseline",
            }), CancellationToken.None);

            var refused = await Assert.ThrowsAsync<ClusterRequestException>(() => _runner.CreatePodAsync(
                Pod("k3snet-pss", "probe", "k3s-agent-1") with { HostNetwork = true, Privileged = true }, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Forbidden, refused.Failure);
            Assert.Equal(("create", "pods"), (refused.Request.Verb, refused.Request.Resource));
            Assert.Contains("violates PodSecurity \"baseline:latest\"", refused.Message, StringComparison.Ordinal);
            Assert.Contains("hostNetwork", refused.Message, StringComparison.Ordinal);
            Assert.Empty(await _runner.ListPodsAsync("k3snet-pss", null, CancellationToken.None));
        }

        [Fact]
        public async Task A_watch_whose_server_goes_away_fails_with_Unreachable_naming_watch_pods()
        {
            var going = new PodRunnerCluster { Runtime = new RecordingContainerRuntime() };
            await going.InitializeAsync();
            using IPodRunner runner = going.Runner(TimeSpan.FromSeconds(5));
            await runner.CreateNamespaceAsync(Namespace("k3snet-going"), CancellationToken.None);
            await runner.CreatePodAsync(Pod("k3snet-going", "probe", "k3s-agent-1"), CancellationToken.None);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var first = new TaskCompletionSource();
            Task watching = Task.Run(async () =>
            {
                await foreach (ProbePodStatus pod in runner.WatchPodsAsync("k3snet-going", null, stop.Token))
                {
                    first.TrySetResult();
                }
            });
            await first.Task.WaitAsync(stop.Token);

            await going.DisposeAsync();

            var failed = await Assert.ThrowsAsync<ClusterRequestException>(() => watching.WaitAsync(stop.Token));
            Assert.Equal(ClusterRequestFailure.Unreachable, failed.Failure);
            Assert.Equal(("watch", "pods", "k3snet-going"), (failed.Request.Verb, failed.Request.Resource, failed.Request.Namespace));
        }

        [Fact]
        public async Task Exec_into_a_server_that_is_gone_is_Unreachable_naming_pods_exec()
        {
            var gone = new PodRunnerCluster { Runtime = new RecordingContainerRuntime() };
            await gone.InitializeAsync();
            using IPodRunner runner = gone.Runner(TimeSpan.FromSeconds(5));
            await gone.DisposeAsync();

            var failed = await Assert.ThrowsAsync<ClusterRequestException>(() => runner.ExecAsync("k3snet-x", "probe", ProbePodSpec.ContainerName, new[] { "true" }, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Unreachable, failed.Failure);
            Assert.Equal(("create", "pods/exec", "k3snet-x"), (failed.Request.Verb, failed.Request.Resource, failed.Request.Namespace));
            Assert.Contains("Cannot reach the API server", failed.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Requests_are_counted_one_each_paging_included()
        {
            int before = _runner.RequestCount;
            await _runner.CreateNamespaceAsync(Namespace("k3snet-count"), CancellationToken.None);
            await _runner.ListPodsAsync("k3snet-count", null, CancellationToken.None);
            await _runner.ReadServiceAsync("kube-system", "kube-dns", CancellationToken.None);
            await _runner.DeleteNamespaceAsync("k3snet-count", CancellationToken.None);
            await _runner.DeleteNamespaceAsync("k3snet-gone", CancellationToken.None);

            Assert.Equal(before + 5, _runner.RequestCount);
        }

        private static ProbePodStatus[] Snapshot(List<ProbePodStatus> seen)
        {
            lock (seen)
            {
                return seen.ToArray();
            }
        }
    }
}
