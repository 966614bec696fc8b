using System;
using System.Collections.Generic;
using System.Linq;
using k8s.Models;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// A probe pod as K3sNet asks for it (<see cref="ProbePodSpec"/>) to the Pod the API takes, and a Pod as the API
    /// reports it back to <see cref="ProbePodStatus"/>. Nothing is interpreted here: the reasons stay the kubelet's.
    /// </summary>
    internal static class ProbePodMapping
    {
        /// <summary>hostPath volumes are named by their position: host-0, host-1...</summary>
        private const string HostVolumePrefix = "host-";

        public static V1Pod ToPod(ProbePodSpec spec)
        {
            ArgumentNullException.ThrowIfNull(spec);
            var securityContext = new V1SecurityContext();
            if (spec.Privileged)
            {
                securityContext.Privileged = true;
            }

            if (spec.AddCapabilities.Count > 0)
            {
                securityContext.Capabilities = new V1Capabilities { Add = spec.AddCapabilities.ToList() };
            }

            var container = new V1Container
            {
                Name = ProbePodSpec.ContainerName,
                Image = spec.Image,
                Command = spec.Command.ToList(),
                ImagePullPolicy = "IfNotPresent",
                SecurityContext = securityContext.Privileged is null && securityContext.Capabilities is null ? null : securityContext,
                VolumeMounts = spec.HostPaths.Count == 0
                    ? null
                    : spec.HostPaths.Select((m, i) => new V1VolumeMount { Name = HostVolumePrefix + i, MountPath = m.MountPath, ReadOnlyProperty = m.ReadOnly }).ToList(),
            };
            return new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    Name = spec.Name,
                    NamespaceProperty = spec.Namespace,
                    Labels = spec.Labels.Count == 0 ? null : new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
                },
                Spec = new V1PodSpec
                {
                    // Pinned: no scheduler, so a node that is cordoned or full still gets its probe.
                    NodeName = spec.NodeName,
                    HostNetwork = spec.HostNetwork ? true : null,
                    HostPID = spec.HostPid ? true : null,
                    RestartPolicy = "Never",
                    TerminationGracePeriodSeconds = 0,
                    ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds,
                    // A probe talks to nothing in the cluster as itself: no token mounted, no service variables.
                    AutomountServiceAccountToken = false,
                    EnableServiceLinks = false,
                    Tolerations = spec.TolerateEverything ? new List<V1Toleration> { new() { OperatorProperty = "Exists" } } : null,
                    Containers = new List<V1Container> { container },
                    Volumes = spec.HostPaths.Count == 0
                        ? null
                        : spec.HostPaths.Select((m, i) => new V1Volume
                        {
                            Name = HostVolumePrefix + i,
                            HostPath = new V1HostPathVolumeSource { Path = m.HostPath, Type = "Directory" },
                        }).ToList(),
                },
            };
        }

        public static ProbePodStatus ToStatus(V1Pod pod, bool deleted = false)
        {
            ArgumentNullException.ThrowIfNull(pod);
            V1PodStatus? status = pod.Status;
            V1ContainerStatus? container = status?.ContainerStatuses?.FirstOrDefault(c => c.Name == ProbePodSpec.ContainerName)
                ?? status?.ContainerStatuses?.FirstOrDefault();
            V1PodCondition? scheduled = status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
            bool unschedulable = scheduled is not null && string.Equals(scheduled.Status, "False", StringComparison.OrdinalIgnoreCase);
            return new ProbePodStatus
            {
                Name = pod.Metadata?.Name ?? string.Empty,
                Namespace = pod.Metadata?.NamespaceProperty,
                NodeName = pod.Spec?.NodeName,
                Phase = status?.Phase,
                PodIP = status?.PodIP,
                HostIP = status?.HostIP,
                Ready = status?.Conditions?.Any(c => c.Type == "Ready" && string.Equals(c.Status, "True", StringComparison.OrdinalIgnoreCase)) == true,
                WaitingReason = container?.State?.Waiting?.Reason,
                WaitingMessage = container?.State?.Waiting?.Message,
                TerminatedReason = container?.State?.Terminated?.Reason,
                TerminatedMessage = container?.State?.Terminated?.Message,
                ExitCode = container?.State?.Terminated?.ExitCode,
                UnschedulableReason = unschedulable ? scheduled!.Reason : null,
                UnschedulableMessage = unschedulable ? scheduled!.Message : null,
                Reason = status?.Reason,
                Message = status?.Message,
                Deleted = deleted,
                Labels = pod.Metadata?.Labels is { } labels
                    ? new Dictionary<string, string>(labels, StringComparer.Ordinal)
                    : new Dictionary<string, string>(),
            };
        }
    }
}
