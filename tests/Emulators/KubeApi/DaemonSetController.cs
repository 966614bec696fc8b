using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The DaemonSet controller: for every DaemonSet, one pod per node whose taints its pods tolerate and whose labels
    /// its nodeSelector and node affinity accept. As the real controller does, it names the pod
    /// <c>&lt;daemonset&gt;-&lt;5 chars&gt;</c>, owns it (ownerReferences), adds the DaemonSet tolerations and a
    /// required node affinity on metadata.name, and leaves the binding to the scheduler. It recreates a pod that goes
    /// away and writes status (desired, current, ready, available). It wakes on every change to the store.
    /// </summary>
    internal sealed class DaemonSetController
    {
        private static readonly (string Key, string Effect)[] DaemonSetTolerations =
        {
            ("node.kubernetes.io/not-ready", "NoExecute"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"),
            ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
        };

        private readonly Cluster _cluster;
        private readonly SemaphoreSlim _exclusive = new(1, 1);
        private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public DaemonSetController(Cluster cluster)
        {
            _cluster = cluster;
            _cluster.Store.Changed += change =>
            {
                if (change.Resource is "daemonsets" or "pods")
                {
                    _wake.Writer.TryWrite(true);
                }
            };
            _ = Task.Run(RunAsync);
        }

        /// <summary>Deletes a DaemonSet and then its pods, without the controller recreating them in between.</summary>
        public async Task<JsonObject?> DeleteAsync(string ns, string name)
        {
            await _exclusive.WaitAsync().ConfigureAwait(false);
            try
            {
                JsonObject? removed = _cluster.Store.Remove("daemonsets", ns, name);
                if (removed is not null)
                {
                    // Background propagation: the answer does not wait for the pods to stop.
                    foreach (JsonObject pod in OwnedPods(removed))
                    {
                        _ = PodApi.Delete(_cluster, pod, null);
                    }
                }

                return removed;
            }
            finally
            {
                _exclusive.Release();
            }
        }

        public async Task DeleteAllAsync(string ns)
        {
            foreach (JsonObject daemonSet in _cluster.Store.List("daemonsets", ns))
            {
                await DeleteAsync(ns, ClusterObjects.NameOf(daemonSet)!).ConfigureAwait(false);
            }
        }

        public void Wake() => _wake.Writer.TryWrite(true);

        /// <summary>The nodes a DaemonSet's pods belong on.</summary>
        public IReadOnlyList<JsonObject> NodesFor(JsonObject daemonSet)
        {
            JsonObject template = Template(daemonSet);
            return _cluster.Nodes.Where(n => Scheduler.ToleratesTaints(template["spec"]!.AsObject(), n) && Scheduler.MatchesSelectorAndAffinity(template, n)).ToArray();
        }

        private async Task RunAsync()
        {
            try
            {
                while (await _wake.Reader.WaitToReadAsync(_cluster.Stopping).ConfigureAwait(false))
                {
                    _wake.Reader.TryRead(out _);
                    await _exclusive.WaitAsync(_cluster.Stopping).ConfigureAwait(false);
                    try
                    {
                        foreach (JsonObject daemonSet in _cluster.Store.List("daemonsets"))
                        {
                            Reconcile(daemonSet);
                        }
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        Console.Error.WriteLine($"daemonset controller: {exception}");
                    }
                    finally
                    {
                        _exclusive.Release();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private void Reconcile(JsonObject daemonSet)
        {
            string ns = ClusterObjects.NamespaceOf(daemonSet)!;
            string name = ClusterObjects.NameOf(daemonSet)!;
            IReadOnlyList<JsonObject> nodes = NodesFor(daemonSet);
            List<JsonObject> pods = OwnedPods(daemonSet).Where(p => p["metadata"]?["deletionTimestamp"] is null).ToList();
            bool creatable = (string?)_cluster.Store.Get("namespaces", string.Empty, ns)?["status"]?["phase"] == "Active";
            foreach (JsonObject node in nodes)
            {
                string nodeName = ClusterObjects.NameOf(node)!;
                if (creatable && !pods.Any(p => TargetNode(p) == nodeName))
                {
                    (JsonObject? created, ApiError? error) = PodApi.Create(_cluster, ns, PodFor(daemonSet, nodeName));
                    if (created is not null)
                    {
                        pods.Add(created);
                    }
                    else
                    {
                        Console.Error.WriteLine($"daemonset {ns}/{name}: FailedCreate on {nodeName}: {error!.Message}");
                    }
                }
            }

            string[] wanted = nodes.Select(n => ClusterObjects.NameOf(n)!).ToArray();
            int scheduled = wanted.Count(n => pods.Any(p => TargetNode(p) == n));
            int ready = pods.Count(p => (p["status"]?["conditions"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True"));
            var status = new JsonObject
            {
                ["currentNumberScheduled"] = scheduled,
                ["numberMisscheduled"] = pods.Count(p => !wanted.Contains(TargetNode(p))),
                ["desiredNumberScheduled"] = wanted.Length,
                ["numberReady"] = ready,
                ["observedGeneration"] = long.TryParse(daemonSet["metadata"]?["generation"]?.ToJsonString(), out long generation) ? generation : 1,
                ["updatedNumberScheduled"] = scheduled,
                ["numberAvailable"] = ready,
            };
            if (wanted.Length - ready > 0)
            {
                status["numberUnavailable"] = wanted.Length - ready;
            }

            _cluster.Store.Update("daemonsets", ns, name, d => d["status"] = status, (string?)daemonSet["metadata"]?["uid"]);
        }

        private IEnumerable<JsonObject> OwnedPods(JsonObject daemonSet)
        {
            string? uid = (string?)daemonSet["metadata"]?["uid"];
            return _cluster.Store.List("pods", ClusterObjects.NamespaceOf(daemonSet)).Where(p =>
                (p["metadata"]?["ownerReferences"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().Any(o => (string?)o["uid"] == uid));
        }

        /// <summary>The node a DaemonSet pod is for: where it is bound, or the node its matchFields affinity names.</summary>
        private static string? TargetNode(JsonObject pod) =>
            (string?)pod["spec"]?["nodeName"] is { Length: > 0 } bound
                ? bound
                : (pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray ?? new JsonArray())
                    .OfType<JsonObject>().SelectMany(t => (t["matchFields"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                    .Where(f => (string?)f["key"] == "metadata.name").Select(f => (string?)f["values"]?[0]).FirstOrDefault();

        private static JsonObject Template(JsonObject daemonSet)
        {
            var template = (JsonObject)(daemonSet["spec"]?["template"]?.DeepClone() ?? new JsonObject());
            var spec = template["spec"] as JsonObject ?? new JsonObject();
            template["spec"] = spec;
            var tolerations = spec["tolerations"] as JsonArray ?? new JsonArray();
            spec["tolerations"] = tolerations;
            IEnumerable<(string Key, string Effect)> added = DaemonSetTolerations;
            if ((bool?)spec["hostNetwork"] == true)
            {
                added = added.Append(("node.kubernetes.io/network-unavailable", "NoSchedule"));
            }

            foreach ((string key, string effect) in added)
            {
                if (!tolerations.OfType<JsonObject>().Any(t => (string?)t["key"] == key && (string?)t["effect"] == effect))
                {
                    tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = effect });
                }
            }

            return template;
        }

        private static JsonObject PodFor(JsonObject daemonSet, string nodeName)
        {
            JsonObject template = Template(daemonSet);
            string name = ClusterObjects.NameOf(daemonSet)!;
            var metadata = template["metadata"] as JsonObject ?? new JsonObject();
            var labels = metadata["labels"] as JsonObject ?? new JsonObject();
            labels["controller-revision-hash"] = ((string?)daemonSet["metadata"]?["uid"] ?? "0")[..8];
            labels["pod-template-generation"] = "1";
            var podMetadata = new JsonObject
            {
                ["generateName"] = name + "-",
                ["labels"] = labels.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "DaemonSet",
                    ["name"] = name,
                    ["uid"] = (string?)daemonSet["metadata"]?["uid"],
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            };
            if (metadata["annotations"] is JsonObject annotations)
            {
                podMetadata["annotations"] = annotations.DeepClone();
            }

            var spec = template["spec"]!.AsObject();
            var affinity = spec["affinity"] as JsonObject ?? new JsonObject();
            spec["affinity"] = affinity;
            affinity["nodeAffinity"] = new JsonObject
            {
                ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                {
                    ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                    {
                        ["matchFields"] = new JsonArray(new JsonObject
                        {
                            ["key"] = "metadata.name",
                            ["operator"] = "In",
                            ["values"] = new JsonArray(nodeName),
                        }),
                    }),
                },
            };
            return new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = podMetadata,
                ["spec"] = spec.DeepClone(),
            };
        }
    }
}
