using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The cluster behind the API: stored objects (namespaces, pods, daemonsets, services), the nodes from the
    /// fixture, the kubelet loop that runs pods through the container runtime, and the DaemonSet controller. It is
    /// the <see cref="IPodDirectory"/> the exec and log endpoints read.
    /// </summary>
    internal sealed class Cluster : IPodDirectory
    {
        public static readonly IReadOnlyList<string> StartNamespaces = new[] { "default", "kube-system", "kube-public", "kube-node-lease" };

        private readonly CancellationTokenSource _stopping = new();

        public Cluster(ClusterObjects objects)
        {
            Nodes = objects.Nodes;
            ImagePulls = new ImagePulls(objects.Nodes);
            foreach (string ns in StartNamespaces.Concat(objects.Pods.Concat(objects.Services).Select(o => ClusterObjects.NamespaceOf(o) ?? "default")).Distinct(StringComparer.Ordinal))
            {
                Store.TryAdd("namespaces", NamespaceApi.NewNamespace(ns), out _);
            }

            foreach (JsonObject pod in objects.Pods)
            {
                Store.TryAdd("pods", Existing(pod), out _);
            }

            foreach (JsonObject service in objects.Services)
            {
                Store.TryAdd("services", Existing(service), out _);
            }

            Kubelet = new KubeletLoop(this);
            DaemonSets = new DaemonSetController(this);
        }

        public ObjectStore Store { get; } = new();

        public IReadOnlyList<JsonObject> Nodes { get; }

        public IContainerRuntime? Runtime { get; set; }

        public ImageFaults ImageFaults { get; } = new();

        /// <summary>The pulls the kubelets made: images their node did not hold.</summary>
        public ImagePulls ImagePulls { get; }

        public AccessRules Access { get; } = new();

        public KubeletLoop Kubelet { get; }

        public DaemonSetController DaemonSets { get; }

        /// <summary>How long ErrImagePull shows before ImagePullBackOff.</summary>
        public TimeSpan ImagePullBackOff { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>How often the kubelet reads container states from the runtime.</summary>
        public TimeSpan StatusInterval { get; set; } = TimeSpan.FromMilliseconds(200);

        /// <summary>How long a container that exited waits before the kubelet restarts it (CrashLoopBackOff).</summary>
        public TimeSpan RestartBackOff { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The most items one list answer holds (0: no cap).</summary>
        public int MaxPageSize { get; set; }

        /// <summary>
        /// How long the server keeps a watch open before it ends it (zero: until timeoutSeconds or the client leaves), as
        /// an API server ends every watch after its --min-request-timeout (randomized, 30 to 60 minutes by default).
        /// </summary>
        public TimeSpan MaxWatchDuration { get; set; }

        public CancellationToken Stopping => _stopping.Token;

        public JsonObject? Node(string name) => Nodes.FirstOrDefault(n => ClusterObjects.NameOf(n) == name);

        public PodLaunch? Find(string ns, string name, out string phase)
        {
            JsonObject? pod = Store.Get("pods", ns, name);
            phase = (string?)pod?["status"]?["phase"] ?? "Pending";
            return pod is null ? null : PodSpecReader.ToLaunch(pod);
        }

        public void Stop() => _stopping.Cancel();

        /// <summary>An object from a fixture file, as the API server would hold it: with a uid and a creation time.</summary>
        private static JsonObject Existing(JsonObject item)
        {
            var copy = (JsonObject)item.DeepClone();
            var metadata = copy["metadata"] as JsonObject ?? new JsonObject();
            copy["metadata"] = metadata;
            metadata["uid"] ??= Guid.NewGuid().ToString();
            metadata["creationTimestamp"] ??= ObjectMetadata.Now();
            return copy;
        }
    }
}
