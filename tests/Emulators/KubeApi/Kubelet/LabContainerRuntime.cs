using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The kubelet of the lab's nodes: a pod runs on its lab node, in the node's PID and mount namespaces (nsenter -t
    /// InitPid -p -m), in the node's network namespace when hostNetwork, otherwise in a pod network namespace the
    /// lab's CNI plugin makes (veth into cni0, 10.42.N.10 and up, resolv.conf of the cluster DNS). Never on the machine:
    /// every process lives in a node's PID namespace, so it ends when the lab ends, and this runtime stops it before.
    /// </summary>
    public sealed class LabContainerRuntime : NamespaceContainerRuntime
    {
        private readonly LabDescription _lab;
        private readonly HashSet<string> _usedPodIps = new(StringComparer.Ordinal);

        public LabContainerRuntime(LabDescription lab)
        {
            _lab = lab ?? throw new ArgumentNullException(nameof(lab));
        }

        public LabDescription Lab => _lab;

        public override bool CanRun(string nodeName) => _lab.Nodes.Any(n => n.Name == nodeName) && HostProcesses.Exists(Node(nodeName).InitPid);

        protected override async Task<SandboxPlan> PrepareSandboxAsync(PodLaunch pod, CancellationToken cancellationToken)
        {
            LabNode node = Node(pod.NodeName);
            string init = node.InitPid.ToString(CultureInfo.InvariantCulture);
            if (pod.HostNetwork)
            {
                return new SandboxPlan(
                    new[] { "nsenter", "-t", init, "-p", "-m", "-n", "--wd=/", "--" }.Concat(PodNamespaces(pod, ownNetwork: false)).Concat(PauseCommand).ToArray(),
                    node.HostIp, node.HostIp, null);
            }

            string podIp = AllocatePodIp(node);
            // <prefix>-<node>-p<7 hex>, as the lab names its own pods: Remove-K3sNetLab sweeps <node namespace>-* too.
            string netns = $"{node.Namespace}-p{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()[..7]}";
            try
            {
                await RunAsync(InHostMounts(_lab.CniPlugin, "add", node.Namespace, netns, podIp, pod.Namespace), "CreatePodSandboxError", cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // An add that failed or was cancelled half-way (the pod deleted while it started) may have made the
                // namespace and its veth: the kubelet undoes a failed sandbox with del, which never fails on "not there".
                try
                {
                    await RunAsync(InHostMounts(_lab.CniPlugin, "del", netns), "KillPodSandboxError", CancellationToken.None).ConfigureAwait(false);
                }
                catch (ContainerRuntimeException)
                {
                    // What del could not remove is the lab's to sweep when it ends (its names carry the lab's prefix).
                }

                Release(podIp);
                throw;
            }

            return new SandboxPlan(
                new[] { "nsenter", "-t", init, "-p", "-m", "--wd=/", "--", "ip", "netns", "exec", netns }.Concat(PodNamespaces(pod, ownNetwork: false)).Concat(PauseCommand).ToArray(),
                podIp, node.HostIp, netns);
        }

        protected override async Task ReleaseSandboxAsync(PodLaunch pod, SandboxPlan plan)
        {
            if (plan.PodNetNamespace is string netns)
            {
                try
                {
                    await RunAsync(InHostMounts(_lab.CniPlugin, "del", netns), "KillPodSandboxError", CancellationToken.None).ConfigureAwait(false);
                }
                catch (ContainerRuntimeException)
                {
                    // del never fails on "not there"; anything else is the lab's to clean when it ends.
                }

                Release(plan.PodIp);
            }
        }

        /// <summary>
        /// The CNI plugin's command line in the machine's mount namespace, where /run/netns is: as it is when this
        /// process shares it, otherwise (the emulator started by `ip netns exec`, in a node's copy of it) entered through
        /// a process known to be there: the lab's owner, or PID 1 (which a VM's init may not let anyone enter).
        /// </summary>
        private IReadOnlyList<string> InHostMounts(params string[] command)
        {
            string? own = MountNamespace("self");
            foreach (int pid in new[] { _lab.OwnerPid, 1 }.Where(p => p > 0))
            {
                string? theirs = MountNamespace(pid.ToString(CultureInfo.InvariantCulture));
                if (theirs is not null)
                {
                    return theirs == own ? command : new[] { "nsenter", "-t", pid.ToString(CultureInfo.InvariantCulture), "-m", "--" }.Concat(command).ToArray();
                }
            }

            return command;
        }

        private static string? MountNamespace(string process)
        {
            try
            {
                return new System.IO.FileInfo($"/proc/{process}/ns/mnt").LinkTarget;
            }
            catch (Exception exception) when (exception is System.IO.IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        private LabNode Node(string name) => _lab.Nodes.FirstOrDefault(n => n.Name == name)
            ?? throw new ContainerRuntimeException("CreatePodSandboxError", $"node \"{name}\" is not a node of lab {_lab.Prefix}");

        private string AllocatePodIp(LabNode node)
        {
            lock (_usedPodIps)
            {
                for (int host = 10; host < 255; host++)
                {
                    string ip = $"{node.PodPrefix}.{host}";
                    if (_usedPodIps.Add(ip))
                    {
                        return ip;
                    }
                }
            }

            throw new ContainerRuntimeException("CreatePodSandboxError", $"no pod IP left on node {node.Name} ({node.PodCidr})");
        }

        private void Release(string podIp)
        {
            lock (_usedPodIps)
            {
                _usedPodIps.Remove(podIp);
            }
        }
    }
}
