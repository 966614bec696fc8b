using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using static K3sNet.Tests.Kubernetes.KubeApiTestPods;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>Namespaces through the real KubernetesClient: the ones a cluster starts with, create, list, and delete taking its pods.</summary>
    public sealed class EmulatorNamespaceTests : IAsyncLifetime
    {
        private readonly RecordingContainerRuntime _runtime = new();
        private readonly EmulatorCluster _cluster;
        private k8s.Kubernetes _client = null!;

        public EmulatorNamespaceTests() => _cluster = new EmulatorCluster { Runtime = _runtime };

        public async Task InitializeAsync()
        {
            await _cluster.InitializeAsync();
            _client = _cluster.Client();
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _cluster.DisposeAsync();
        }

        [Fact]
        public async Task A_cluster_starts_with_the_four_namespaces_Kubernetes_creates()
        {
            V1NamespaceList all = await _client.CoreV1.ListNamespaceAsync();

            Assert.Equal(new[] { "default", "kube-node-lease", "kube-public", "kube-system" }, all.Items.Select(n => n.Metadata.Name));
            Assert.All(all.Items, n => Assert.Equal("Active", n.Status.Phase));
        }

        [Fact]
        public async Task Creates_gets_lists_by_label_and_refuses_a_second_of_the_same_name()
        {
            V1Namespace created = await _client.CoreV1.CreateNamespaceAsync(new V1Namespace
            {
                Metadata = new V1ObjectMeta { Name = "k3snet-probe-1", Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "k3snet" } },
            });

            Assert.Equal(("Active", "k3snet-probe-1"), (created.Status.Phase, created.Metadata.Labels["kubernetes.io/metadata.name"]));
            Assert.Equal(created.Metadata.Uid, (await _client.CoreV1.ReadNamespaceAsync("k3snet-probe-1")).Metadata.Uid);
            Assert.Equal(new[] { "k3snet-probe-1" }, (await _client.CoreV1.ListNamespaceAsync(labelSelector: "app.kubernetes.io/managed-by=k3snet")).Items.Select(n => n.Metadata.Name));
            var (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "k3snet-probe-1" } }));
            Assert.Equal((HttpStatusCode.Conflict, "AlreadyExists", "namespaces \"k3snet-probe-1\" already exists"), (code, status.Reason, status.Message));
            (code, status) = await FailureAsync(() => _client.CoreV1.ReadNamespaceAsync("k3snet-missing"));
            Assert.Equal((HttpStatusCode.NotFound, "namespaces \"k3snet-missing\" not found"), (code, status.Message));
        }

        [Fact]
        public async Task Deleting_a_namespace_makes_it_Terminating_stops_and_removes_its_pods_and_then_it_is_gone()
        {
            await NamespaceAsync(_client, "k3snet-probe-2");
            V1Pod first = await _client.CoreV1.CreateNamespacedPodAsync(Pod("p1", "k3s-agent-1"), "k3snet-probe-2");
            V1Pod second = await _client.CoreV1.CreateNamespacedPodAsync(Pod("p2", "k3s-agent-2"), "k3snet-probe-2");
            await UntilAsync(() => Task.FromResult(_runtime.Running.Count), n => n == 2, "two running pods");

            V1Status answer = await _client.CoreV1.DeleteNamespaceAsync("k3snet-probe-2");

            V1Namespace terminating = answer.ObjectView<V1Namespace>();
            Assert.Equal("Terminating", terminating.Status.Phase);
            Assert.NotNull(terminating.Metadata.DeletionTimestamp);
            await UntilAsync(async () => (await _client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name).ToArray(),
                names => !names.Contains("k3snet-probe-2"), "the namespace gone");
            Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync("k3snet-probe-2")).Items);
            Assert.Contains(first.Metadata.Uid, _runtime.Stopped);
            Assert.Contains(second.Metadata.Uid, _runtime.Stopped);
            Assert.Empty(_runtime.Running);
            var (code, _) = await FailureAsync(() => _client.CoreV1.ReadNamespaceAsync("k3snet-probe-2"));
            Assert.Equal(HttpStatusCode.NotFound, code);
        }

        [Fact]
        public async Task A_terminating_namespace_refuses_new_pods_until_its_pods_have_stopped()
        {
            await NamespaceAsync(_client, "k3snet-probe-3");
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("slow", "k3s-agent-1"), "k3snet-probe-3");
            await UntilPodAsync(_client, "k3snet-probe-3", "slow", p => p.Status.Phase == "Running", "Running");
            _runtime.HoldStops = new TaskCompletionSource();

            await _client.CoreV1.DeleteNamespaceAsync("k3snet-probe-3");

            var (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Pod("late", "k3s-agent-1"), "k3snet-probe-3"));
            Assert.Equal((HttpStatusCode.Forbidden, "Forbidden"), (code, status.Reason));
            Assert.Equal("pods \"late\" is forbidden: unable to create new content in namespace k3snet-probe-3 because it is being terminated", status.Message);
            Assert.Equal("Terminating", (await _client.CoreV1.ReadNamespaceAsync("k3snet-probe-3")).Status.Phase);

            _runtime.HoldStops.SetResult();
            await UntilAsync(async () => (await _client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name).ToArray(),
                names => !names.Contains("k3snet-probe-3"), "the namespace gone");
        }
    }
}
