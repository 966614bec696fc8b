using System.Collections.Generic;
using k8s.Models;
using K3sNet.Cloud;
using K3sNet.Cloud.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>What a probe learns from a pod's status: the kubelet's and the scheduler's own words, never a guess.</summary>
    public sealed class PodRunnerMappingTests
    {
        [Fact]
        public void An_unschedulable_pod_carries_the_schedulers_reason_and_message_and_is_not_ready()
        {
            var pod = new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "probe-a", NamespaceProperty = "k3snet-x" },
                Status = new V1PodStatus
                {
                    Phase = "Pending",
                    Conditions = new List<V1PodCondition>
                    {
                        new() { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}." },
                    },
                },
            };

            ProbePodStatus status = ProbePodMapping.ToStatus(pod);

            Assert.Equal(("Unschedulable", "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}."), (status.UnschedulableReason, status.UnschedulableMessage));
            Assert.False(status.Ready);
            Assert.Null(status.WaitingReason);
        }

        [Fact]
        public void A_scheduled_pod_has_no_unschedulable_reason_and_its_probe_containers_terminated_state_is_read()
        {
            var pod = new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "probe-b", Labels = new Dictionary<string, string> { ["k3snet.io/run"] = "r1" } },
                Spec = new V1PodSpec { NodeName = "k3s-agent-1" },
                Status = new V1PodStatus
                {
                    Phase = "Failed",
                    Reason = "Evicted",
                    Message = "The node was low on resource: memory.",
                    Conditions = new List<V1PodCondition> { new() { Type = "PodScheduled", Status = "True" }, new() { Type = "Ready", Status = "False", Reason = "PodFailed" } },
                    ContainerStatuses = new List<V1ContainerStatus>
                    {
                        new() { Name = "sidecar", State = new V1ContainerState { Running = new V1ContainerStateRunning() } },
                        new() { Name = ProbePodSpec.ContainerName, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled", Message = "killed" } } },
                    },
                },
            };

            ProbePodStatus status = ProbePodMapping.ToStatus(pod, deleted: true);

            Assert.Null(status.UnschedulableReason);
            Assert.Equal(("OOMKilled", "killed", 137), (status.TerminatedReason, status.TerminatedMessage, status.ExitCode));
            Assert.Equal(("Evicted", "The node was low on resource: memory.", "k3s-agent-1"), (status.Reason, status.Message, status.NodeName));
            Assert.True(status.Deleted);
            Assert.False(status.Ready);
            Assert.Equal("r1", status.Labels["k3snet.io/run"]);
        }

        [Fact]
        public void A_plain_pod_network_probe_asks_for_no_privilege_no_host_namespace_and_no_volume()
        {
            V1Pod pod = ProbePodMapping.ToPod(new ProbePodSpec
            {
                Name = "pods-a",
                Namespace = "k3snet-x",
                NodeName = "k3s-agent-2",
                Image = "docker.io/rancher/mirrored-library-busybox:1.37.0",
                Command = new[] { "sleep", "600" },
                TolerateEverything = false,
            });

            Assert.Null(pod.Spec.HostNetwork);
            Assert.Null(pod.Spec.HostPID);
            Assert.Null(pod.Spec.Tolerations);
            Assert.Null(pod.Spec.Volumes);
            Assert.Null(pod.Spec.ActiveDeadlineSeconds);
            Assert.Null(pod.Spec.Containers[0].SecurityContext);
            Assert.Null(pod.Spec.Containers[0].VolumeMounts);
            Assert.Equal(("Never", 0L, "k3s-agent-2"), (pod.Spec.RestartPolicy, pod.Spec.TerminationGracePeriodSeconds, pod.Spec.NodeName));
        }
    }
}
