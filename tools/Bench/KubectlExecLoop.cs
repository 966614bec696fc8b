// The comparison for tools/Bench/AllNodes.ps1: what a person does today without K3sNet, with kubectl. There is no
// kubectl here, so this makes the requests kubectl would, through the same client library K3sNet ships
// (KubernetesClient, from the module's Dependencies folder): create a namespace, one pod per node (`kubectl run` with
// overrides: nodeName, hostNetwork, NET_RAW, the node's pause image with k3s's busybox mounted from the node), wait until
// they run (`kubectl wait`), then `kubectl exec <pod> -- busybox ping -c 1 -W <s> <peer>` for every ordered pair, one at a
// time, and `kubectl delete namespace` (which waits until it is gone). Compiled by Add-Type in the benchmark's pwsh.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Models;

namespace K3sNetBench
{
    public sealed class KubectlExecLoopResult
    {
        public double PodStartSeconds { get; set; }
        public double ExecSeconds { get; set; }
        public double CleanupSeconds { get; set; }
        public int Execs { get; set; }
        public int Answered { get; set; }
        public int Failed { get; set; }
        public List<string> Unanswered { get; } = new List<string>();
    }

    public static class KubectlExecLoop
    {
        public static KubectlExecLoopResult Run(string kubeconfig, string[] nodes, string[] addresses, string image, string toolDirectory, int timeoutSeconds)
        {
            return RunAsync(kubeconfig, nodes, addresses, image, toolDirectory, timeoutSeconds).GetAwaiter().GetResult();
        }

        private static async Task<KubectlExecLoopResult> RunAsync(string kubeconfig, string[] nodes, string[] addresses, string image, string toolDirectory, int timeoutSeconds)
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            using var client = new Kubernetes(config);
            var result = new KubectlExecLoopResult();
            string ns = "k3snet-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var clock = Stopwatch.StartNew();
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "k3snet-bench" } } }).ConfigureAwait(false);
            try
            {
                for (int i = 0; i < nodes.Length; i++)
                {
                    await client.CoreV1.CreateNamespacedPodAsync(Pod(i, nodes[i], image, toolDirectory), ns).ConfigureAwait(false);
                }

                // kubectl wait --for=condition=Ready: it polls the pods (a watch per pod in newer kubectl; a list here).
                while (true)
                {
                    var pods = await client.CoreV1.ListNamespacedPodAsync(ns).ConfigureAwait(false);
                    if (pods.Items.Count == nodes.Length && pods.Items.All(p => p.Status?.Phase == "Running"))
                    {
                        break;
                    }

                    var failed = pods.Items.FirstOrDefault(p => p.Status?.Phase == "Failed");
                    if (failed != null)
                    {
                        throw new InvalidOperationException($"pod {failed.Metadata.Name} failed: {failed.Status.Reason} {failed.Status.Message}");
                    }

                    if (clock.Elapsed > TimeSpan.FromMinutes(5))
                    {
                        throw new TimeoutException("the ping pods did not all run within 5 minutes");
                    }

                    await Task.Delay(250).ConfigureAwait(false);
                }

                result.PodStartSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                string busybox = toolDirectory.TrimEnd('/') + "/busybox";
                for (int i = 0; i < nodes.Length; i++)
                {
                    for (int j = 0; j < nodes.Length; j++)
                    {
                        if (i == j)
                        {
                            continue;
                        }

                        int exit = await client.NamespacedPodExecAsync(
                            "ping-" + i, ns, "ping",
                            new[] { busybox, "ping", "-c", "1", "-W", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), addresses[j] },
                            false,
                            async (stdin, stdout, stderr) =>
                            {
                                // kubectl prints what the command wrote; reading it to the end is what lets the exec finish.
                                Task<string> error = new StreamReader(stderr).ReadToEndAsync();
                                await new StreamReader(stdout).ReadToEndAsync().ConfigureAwait(false);
                                await error.ConfigureAwait(false);
                            },
                            CancellationToken.None).ConfigureAwait(false);
                        result.Execs++;
                        if (exit == 0)
                        {
                            result.Answered++;
                        }
                        else
                        {
                            result.Failed++;
                            result.Unanswered.Add(nodes[i] + " -> " + nodes[j]);
                        }
                    }
                }

                result.ExecSeconds = clock.Elapsed.TotalSeconds;
            }
            finally
            {
                clock.Restart();
                // kubectl delete namespace waits until the namespace is gone.
                await client.CoreV1.DeleteNamespaceAsync(ns).ConfigureAwait(false);
                while (true)
                {
                    var left = await client.CoreV1.ListNamespaceAsync(labelSelector: "app.kubernetes.io/managed-by=k3snet-bench").ConfigureAwait(false);
                    if (!left.Items.Any(n => n.Metadata.Name == ns) || clock.Elapsed > TimeSpan.FromMinutes(2))
                    {
                        break;
                    }

                    await Task.Delay(250).ConfigureAwait(false);
                }

                result.CleanupSeconds = clock.Elapsed.TotalSeconds;
            }

            return result;
        }

        private static V1Pod Pod(int index, string node, string image, string toolDirectory) => new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "ping-" + index, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "k3snet-bench" } },
            Spec = new V1PodSpec
            {
                NodeName = node,
                HostNetwork = true,
                RestartPolicy = "Never",
                TerminationGracePeriodSeconds = 0,
                Tolerations = new List<V1Toleration> { new V1Toleration { OperatorProperty = "Exists" } },
                Volumes = new List<V1Volume> { new V1Volume { Name = "k3s-bin", HostPath = new V1HostPathVolumeSource { Path = toolDirectory, Type = "Directory" } } },
                Containers = new List<V1Container>
                {
                    new V1Container
                    {
                        Name = "ping",
                        Image = image,
                        ImagePullPolicy = "IfNotPresent",
                        Command = new List<string> { toolDirectory.TrimEnd('/') + "/busybox", "sleep", "3600" },
                        SecurityContext = new V1SecurityContext { Capabilities = new V1Capabilities { Add = new List<string> { "NET_RAW" } } },
                        VolumeMounts = new List<V1VolumeMount> { new V1VolumeMount { Name = "k3s-bin", MountPath = toolDirectory, ReadOnlyProperty = true } },
                    },
                },
            },
        };
    }
}
