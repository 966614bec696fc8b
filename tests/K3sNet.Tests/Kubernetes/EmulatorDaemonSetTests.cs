using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using static K3sNet.Tests.Kubernetes.KubeApiTestPods;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>DaemonSets through the real KubernetesClient: one pod per node the pods tolerate, owned, bound by the scheduler, with status.</summary>
    public sealed class EmulatorDaemonSetTests : IAsyncLifetime
    {
        private const string Ns = "k3snet-ds";
        private static readonly string[] Agents = { "k3s-agent-1", "k3s-agent-2", "k3s-agent-3", "k3s-edge-1", "k3s-gw-1", "k3s-legacy-1" };
        private readonly RecordingContainerRuntime _runtime = new();
        private readonly EmulatorCluster _cluster;
        private k8s.Kubernetes _client = null!;

        public EmulatorDaemonSetTests() => _cluster = new EmulatorCluster { Runtime = _runtime };

        public async Task InitializeAsync()
        {
            await _cluster.InitializeAsync();
            _client = _cluster.Client();
            await NamespaceAsync(_client, Ns);
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _cluster.DisposeAsync();
        }

        [Fact]
        public async Task Places_one_pod_on_every_node_but_the_tainted_server_and_reports_them_ready()
        {
            V1DaemonSet created = await _client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("probe"), Ns);

            V1DaemonSet ready = await UntilAsync(() => _client.AppsV1.ReadNamespacedDaemonSetAsync("probe", Ns), d => d.Status.NumberReady == 6, "6 ready pods");
            Assert.Equal((6, 6, 6, 0), (ready.Status.DesiredNumberScheduled, ready.Status.CurrentNumberScheduled, ready.Status.NumberAvailable ?? 0, ready.Status.NumberMisscheduled));
            V1Pod[] pods = (await _client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=k3snet-probe")).Items.ToArray();
            Assert.Equal(Agents, pods.Select(p => p.Spec.NodeName).Order());
            Assert.All(pods, p =>
            {
                Assert.Matches("^probe-[bcdfghjklmnpqrstvwxz2456789]{5}$", p.Metadata.Name);
                V1OwnerReference owner = Assert.Single(p.Metadata.OwnerReferences);
                Assert.Equal(("DaemonSet", "probe", created.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));
                V1NodeSelectorRequirement field = p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchFields.Single();
                Assert.Equal(("metadata.name", "In", p.Spec.NodeName), (field.Key, field.OperatorProperty, field.Values.Single()));
                Assert.Contains(p.Spec.Tolerations, t => t.Key == "node.kubernetes.io/unschedulable" && t.Effect == "NoSchedule");
            });
            Assert.Equal(6, _runtime.Running.Count);
            Assert.Equal(("probe", 1), ((await _client.AppsV1.ListNamespacedDaemonSetAsync(Ns)).Items.Single().Metadata.Name, created.Metadata.Generation));
        }

        [Fact]
        public async Task Places_a_pod_on_the_server_too_when_the_pods_tolerate_its_taint()
        {
            V1DaemonSet daemonSet = DaemonSet("everywhere");
            daemonSet.Spec.Template.Spec.Tolerations = new List<V1Toleration> { new() { OperatorProperty = "Exists" } };

            await _client.AppsV1.CreateNamespacedDaemonSetAsync(daemonSet, Ns);

            V1DaemonSet ready = await UntilAsync(() => _client.AppsV1.ReadNamespacedDaemonSetAsync("everywhere", Ns), d => d.Status.NumberReady == 7, "7 ready pods");
            Assert.Equal(7, ready.Status.DesiredNumberScheduled);
            Assert.Contains("k3s-server-1", (await _client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Select(p => p.Spec.NodeName));
        }

        [Fact]
        public async Task Recreates_a_deleted_pod_and_deleting_the_daemonset_takes_its_pods()
        {
            await _client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("probe"), Ns);
            await UntilAsync(() => _client.AppsV1.ReadNamespacedDaemonSetAsync("probe", Ns), d => d.Status.NumberReady == 6, "6 ready pods");
            V1Pod onAgent2 = (await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "spec.nodeName=k3s-agent-2")).Items.Single();

            await _client.CoreV1.DeleteNamespacedPodAsync(onAgent2.Metadata.Name, Ns, gracePeriodSeconds: 0);

            V1PodList replaced = await UntilAsync(() => _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "spec.nodeName=k3s-agent-2"),
                l => l.Items.Count == 1 && l.Items[0].Metadata.Name != onAgent2.Metadata.Name, "a new pod on k3s-agent-2");
            Assert.StartsWith("probe-", replaced.Items[0].Metadata.Name, System.StringComparison.Ordinal);

            V1Status deleted = await _client.AppsV1.DeleteNamespacedDaemonSetAsync("probe", Ns);

            Assert.Equal("Success", deleted.Status);
            await UntilAsync(() => _client.CoreV1.ListNamespacedPodAsync(Ns), l => l.Items.Count == 0, "no pods left");
            Assert.Empty(_runtime.Running);
            var (code, status) = await FailureAsync(() => _client.AppsV1.ReadNamespacedDaemonSetAsync("probe", Ns));
            Assert.Equal((HttpStatusCode.NotFound, "daemonsets.apps \"probe\" not found"), (code, status.Message));
        }

        [Fact]
        public async Task Refuses_a_daemonset_whose_selector_does_not_match_its_template()
        {
            V1DaemonSet daemonSet = DaemonSet("mismatch");
            daemonSet.Spec.Selector.MatchLabels = new Dictionary<string, string> { ["app"] = "else" };

            var (code, status) = await FailureAsync(() => _client.AppsV1.CreateNamespacedDaemonSetAsync(daemonSet, Ns));

            Assert.Equal((HttpStatusCode.UnprocessableEntity, "Invalid"), (code, status.Reason));
            Assert.Equal("DaemonSet.apps \"mismatch\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"k3snet-probe\"}: `selector` does not match template `labels`", status.Message);
        }

        private static V1DaemonSet DaemonSet(string name) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "k3snet-probe" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "k3snet-probe" } },
                    Spec = new V1PodSpec
                    {
                        HostNetwork = true,
                        Containers = new List<V1Container> { new() { Name = "probe", Image = "busybox:1.36", Command = new List<string> { "sleep", "infinity" } } },
                    },
                },
            },
        };
    }
}
