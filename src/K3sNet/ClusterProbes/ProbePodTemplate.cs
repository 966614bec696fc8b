using System.Collections.Generic;
using System.Globalization;
using K3sNet.Cloud;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// The pod a node gets. Both kinds run k3s's own busybox from the node's tool directory (mounted read-only at the
    /// same path), sleeping until the run's deadline: K3sNet works in them through exec, and a pod outlives no run by
    /// more than its activeDeadlineSeconds.
    /// </summary>
    internal static class ProbePodTemplate
    {
        public static ProbePodSpec For(ProbePodKind kind, string podName, string @namespace, string runId, string nodeName, string image, string toolDirectory, int deadlineSeconds)
        {
            var labels = new Dictionary<string, string>
            {
                [ProbeFleet.ManagedByLabel] = ProbeFleet.ManagedByValue,
                [ProbeLabels.Run] = runId,
                [ProbeLabels.Node] = ProbeNames.Label(nodeName),
            };
            bool node = kind == ProbePodKind.Node;
            return new ProbePodSpec
            {
                Name = podName,
                Namespace = @namespace,
                NodeName = nodeName,
                Image = image,
                Command = new[] { toolDirectory + "/busybox", "sleep", deadlineSeconds.ToString(CultureInfo.InvariantCulture) },
                Labels = labels,
                // The node checks read the node's own flannel.1, fdb, neighbours, routes and firewall: its network
                // namespace, its processes (nsenter) and privileges to read nftables and ethtool features.
                HostNetwork = node,
                HostPid = node,
                Privileged = node,
                // A pod on the pod network pings with busybox's raw socket.
                AddCapabilities = node ? System.Array.Empty<string>() : new[] { "NET_RAW" },
                HostPaths = new[] { new HostPathMount(toolDirectory, toolDirectory, ReadOnly: true) },
                TolerateEverything = true,
                ActiveDeadlineSeconds = deadlineSeconds,
            };
        }
    }
}
