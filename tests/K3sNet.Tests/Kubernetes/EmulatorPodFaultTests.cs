using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Emulators.KubeApi;
using static K3sNet.Tests.Kubernetes.KubeApiTestPods;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>The failures a user meets with probe pods, as the real KubernetesClient reads them from the emulator.</summary>
    public sealed class EmulatorPodFaultTests : IAsyncLifetime
    {
        private const string Ns = "k3snet-faults";
        private readonly RecordingContainerRuntime _runtime = new();
        private readonly EmulatorCluster _cluster;
        private k8s.Kubernetes _client = null!;

        public EmulatorPodFaultTests() => _cluster = new EmulatorCluster { Runtime = _runtime };

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
        public async Task An_image_that_cannot_be_pulled_shows_ErrImagePull_then_ImagePullBackOff_and_never_starts()
        {
            using var cancel = new System.Threading.CancellationTokenSource(System.TimeSpan.FromSeconds(60));
            string from = (await _client.CoreV1.ListNamespacedPodAsync(Ns)).Metadata.ResourceVersion;
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("pull", "k3s-agent-1", image: "fault.k3snet.invalid/image-pull:v1"), Ns);

            // Every status the kubelet wrote, in order, as a watch reports them.
            var waiting = new List<V1ContainerStateWaiting>();
            V1Pod last = null!;
            await foreach ((WatchEventType _, V1Pod pod) in _client.CoreV1.WatchListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=pull", resourceVersion: from, timeoutSeconds: 60, cancellationToken: cancel.Token))
            {
                last = pod;
                if (pod.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting is V1ContainerStateWaiting state && state.Reason != "ContainerCreating")
                {
                    waiting.Add(state);
                    if (state.Reason == "ImagePullBackOff")
                    {
                        break;
                    }
                }
            }

            Assert.Equal(new[] { "ErrImagePull", "ImagePullBackOff" }, waiting.Select(w => w.Reason));
            Assert.Equal(
                "rpc error: code = Unknown desc = failed to pull and unpack image \"fault.k3snet.invalid/image-pull:v1\": failed to resolve reference \"fault.k3snet.invalid/image-pull:v1\": failed to do request: Head \"https://fault.k3snet.invalid/v2/image-pull/manifests/v1\": dial tcp: lookup fault.k3snet.invalid: no such host",
                waiting[0].Message);
            Assert.Equal("Back-off pulling image \"fault.k3snet.invalid/image-pull:v1\"", waiting[1].Message);
            Assert.Equal(("Pending", "True", "False"), (last.Status.Phase, Condition(last, "PodScheduled"), Condition(last, "Ready")));
            Assert.Empty(_runtime.Started);
        }

        [Fact]
        public async Task Any_image_can_be_given_a_pull_failure_on_demand()
        {
            _cluster.Emulator.ImageFaults.Set("busybox:1.36", PodFault.ImagePull);

            await _client.CoreV1.CreateNamespacedPodAsync(Pod("pull-on-demand", "k3s-agent-2"), Ns);

            V1Pod pod = await UntilPodAsync(_client, Ns, "pull-on-demand", p => Container(p).State?.Waiting?.Reason == "ImagePullBackOff", "ImagePullBackOff");
            Assert.Equal("Back-off pulling image \"busybox:1.36\"", Container(pod).State.Waiting.Message);
        }

        [Fact]
        public async Task A_pod_no_node_fits_is_unschedulable_with_the_schedulers_reasons()
        {
            V1Pod pod = Pod("nowhere");
            pod.Spec.NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = "true" };
            await _client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

            V1Pod pending = await UntilPodAsync(_client, Ns, "nowhere", p => Condition(p, "PodScheduled") == "False", "PodScheduled False");

            V1PodCondition scheduled = pending.Status.Conditions.Single();
            Assert.Equal(("Pending", "Unschedulable"), (pending.Status.Phase, scheduled.Reason));
            Assert.Equal(
                "0/7 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 6 node(s) didn't match Pod's node affinity/selector. preemption: 0/7 nodes are available: 7 Preemption is not helpful for scheduling.",
                scheduled.Message);
            Assert.Null(pending.Spec.NodeName);
            Assert.Empty(_runtime.Started);
        }

        [Fact]
        public async Task A_pod_that_tolerates_the_control_plane_taint_is_scheduled_on_the_server()
        {
            V1Pod pod = Pod("on-server");
            pod.Spec.NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = "true" };
            pod.Spec.Tolerations = new List<V1Toleration> { new() { Key = "node-role.kubernetes.io/control-plane", OperatorProperty = "Exists", Effect = "NoSchedule" } };
            await _client.CoreV1.CreateNamespacedPodAsync(pod, Ns);

            V1Pod running = await UntilPodAsync(_client, Ns, "on-server", p => p.Status.Phase == "Running", "Running");
            Assert.Equal(("k3s-server-1", "10.0.1.10"), (running.Spec.NodeName, running.Status.HostIP));
        }

        [Fact]
        public async Task A_never_ready_container_runs_but_the_pod_stays_not_ready()
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("lazy", "k3s-agent-1", image: "fault.k3snet.invalid/never-ready"), Ns);

            V1Pod pod = await UntilPodAsync(_client, Ns, "lazy", p => p.Status.Phase == "Running", "Running");

            Assert.Equal(("False", "False", false), (Condition(pod, "Ready"), Condition(pod, "ContainersReady"), Container(pod).Ready));
            V1PodCondition ready = pod.Status.Conditions.Single(c => c.Type == "Ready");
            Assert.Equal(("ContainersNotReady", "containers with unready status: [probe]"), (ready.Reason, ready.Message));
            Assert.NotNull(Container(pod).State.Running);
        }

        [Fact]
        public async Task A_container_the_runtime_cannot_create_shows_CreateContainerError_with_its_message()
        {
            _runtime.PodsItRefuses.Add("broken");

            await _client.CoreV1.CreateNamespacedPodAsync(Pod("broken", "k3s-agent-1"), Ns);

            V1Pod pod = await UntilPodAsync(_client, Ns, "broken", p => Container(p).State?.Waiting?.Reason == "CreateContainerError", "CreateContainerError");
            Assert.Equal("failed to create containerd task: exec: \"sleep\": executable file not found in $PATH", Container(pod).State.Waiting.Message);
            Assert.Equal("Pending", pod.Status.Phase);

            await _client.CoreV1.CreateNamespacedPodAsync(Pod("by-image", "k3s-agent-1", image: "fault.k3snet.invalid/create-container-error:1"), Ns);
            await UntilPodAsync(_client, Ns, "by-image", p => Container(p).State?.Waiting?.Reason == "CreateContainerError", "CreateContainerError");
        }

        [Fact]
        public async Task A_pod_on_a_node_the_runtime_cannot_run_stays_ContainerCreating()
        {
            _runtime.NodesItCannotRun.Add("k3s-edge-1");

            await _client.CoreV1.CreateNamespacedPodAsync(Pod("stuck", "k3s-edge-1"), Ns);

            V1Pod pod = await UntilPodAsync(_client, Ns, "stuck", p => Container(p).State?.Waiting is not null, "ContainerCreating");
            Assert.Equal(("Pending", "ContainerCreating", "10.0.2.40"), (pod.Status.Phase, Container(pod).State.Waiting.Reason, pod.Status.HostIP));
            Assert.Empty(_runtime.Started);

            await _client.CoreV1.DeleteNamespacedPodAsync("stuck", Ns);
            await UntilGoneAsync(_client, Ns, "stuck");
        }

        [Fact]
        public async Task Without_a_runtime_pods_stay_ContainerCreating()
        {
            var cluster = new EmulatorCluster();
            await cluster.InitializeAsync();
            try
            {
                using k8s.Kubernetes client = cluster.Client();
                await client.CoreV1.CreateNamespacedPodAsync(Pod("idle", "k3s-agent-1"), "default");

                V1Pod pod = await UntilPodAsync(client, "default", "idle", p => Container(p).State?.Waiting is not null, "ContainerCreating");
                Assert.Equal(("Pending", "ContainerCreating"), (pod.Status.Phase, Container(pod).State.Waiting.Reason));
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }
    }
}
