using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// One pod's life, as the scheduler and the node's kubelet drive it: Pending (unschedulable, or ContainerCreating)
    /// → the runtime starts it → Running with its IPs, conditions and container states → Succeeded or Failed when its
    /// containers exit and restartPolicy says so (or restarted, with CrashLoopBackOff between). A deletion stops it
    /// through the runtime and then removes it. A pod with spec.activeDeadlineSeconds that is still active that long
    /// after its startTime is killed by the kubelet: Failed, reason DeadlineExceeded, its processes gone.
    /// </summary>
    internal sealed class PodWorker
    {
        private readonly Cluster _cluster;
        private readonly string _namespace;
        private readonly string _name;
        private readonly CancellationTokenSource _deleting = new();
        private readonly CancellationTokenSource _deadline = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _runtimeTouched;

        public PodWorker(Cluster cluster, JsonObject pod)
        {
            _cluster = cluster;
            _namespace = ClusterObjects.NamespaceOf(pod)!;
            _name = ClusterObjects.NameOf(pod)!;
            Uid = (string)pod["metadata"]!["uid"]!;
        }

        public string Uid { get; }

        public Task Completion => _done.Task;

        public void Start(Action forget) => _ = Task.Run(() => RunAsync(forget));

        public void RequestDeletion() => _deleting.Cancel();

        private async Task RunAsync(Action forget)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_deleting.Token, _cluster.Stopping);
            using var active = CancellationTokenSource.CreateLinkedTokenSource(linked.Token, _deadline.Token);
            try
            {
                await LifecycleAsync(active.Token).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, active.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_deadline.IsCancellationRequested && !linked.IsCancellationRequested)
            {
                await EndAtDeadlineAsync().ConfigureAwait(false);
                await WaitQuietlyAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception exception)
            {
                Console.Error.WriteLine($"kubelet: pod {_namespace}/{_name}: {exception}");
            }
            finally
            {
                IContainerRuntime? runtime = _cluster.Runtime;
                if (_runtimeTouched && runtime is not null)
                {
                    try
                    {
                        await runtime.StopPodAsync(Uid).ConfigureAwait(false);
                    }
                    catch (Exception exception)
                    {
                        Console.Error.WriteLine($"kubelet: stopping pod {_namespace}/{_name}: {exception.Message}");
                    }
                }

                if (_deleting.IsCancellationRequested)
                {
                    _cluster.Store.Remove("pods", _namespace, _name, Uid);
                }

                forget();
                _done.TrySetResult();
            }
        }

        private async Task LifecycleAsync(CancellationToken cancellationToken)
        {
            JsonObject? pod = _cluster.Store.Get("pods", _namespace, _name);
            if (pod is null || (string?)pod["metadata"]?["uid"] != Uid)
            {
                return;
            }

            string scheduledAt = ObjectMetadata.Now();
            string? nodeName = (string?)pod["spec"]?["nodeName"];
            if (string.IsNullOrEmpty(nodeName))
            {
                (string? picked, string? message) = Scheduler.Pick(pod, _cluster.Nodes, _cluster.Kubelet.PodsOn);
                if (picked is null)
                {
                    Update(p => p["status"] = new JsonObject
                    {
                        ["phase"] = "Pending",
                        ["conditions"] = new JsonArray(PodStatus.Condition("PodScheduled", false, scheduledAt, "Unschedulable", message)),
                        ["qosClass"] = "BestEffort",
                    });
                    return;
                }

                nodeName = picked;
                Update(p =>
                {
                    p["spec"]!["nodeName"] = picked;
                    p["status"] = new JsonObject
                    {
                        ["phase"] = "Pending",
                        ["conditions"] = new JsonArray(PodStatus.Condition("PodScheduled", true, scheduledAt)),
                        ["qosClass"] = "BestEffort",
                    };
                });
            }

            if (_cluster.Node(nodeName) is not JsonObject node)
            {
                // Bound to a node that does not exist: no kubelet will ever take it, so it stays Pending without status.
                return;
            }

            JsonObject[] containers = PodSpecReader.Containers(pod["spec"]!.AsObject()).ToArray();
            string[] names = containers.Select(c => (string?)c["name"] ?? string.Empty).ToArray();
            string hostIp = InternalIp(node);
            string startTime = ObjectMetadata.Now();
            SetStatus("Pending", hostIp, null, startTime, scheduledAt, containers.Select(c => PodStatus.Waiting(c, "ContainerCreating")), names);

            // The kubelet counts activeDeadlineSeconds from startTime, whatever the containers do (an image that never
            // pulls included): what ends the pods of a run that never came back to delete them.
            if ((long?)pod["spec"]?["activeDeadlineSeconds"] is long deadline and > 0)
            {
                _deadline.CancelAfter(TimeSpan.FromSeconds(deadline));
            }

            IContainerRuntime? runtime = _cluster.Runtime;
            if (runtime is null || !runtime.CanRun(nodeName))
            {
                return;
            }

            PodFault[] faults = containers.Select(c => _cluster.ImageFaults.For((string?)c["image"] ?? string.Empty)).ToArray();
            if (Array.IndexOf(faults, PodFault.ImagePull) is int pull and >= 0)
            {
                string image = (string?)containers[pull]["image"] ?? string.Empty;
                SetStatus("Pending", hostIp, null, startTime, scheduledAt, containers.Select((c, i) => i == pull
                    ? PodStatus.Waiting(c, "ErrImagePull", ImageFaults.ErrImagePullMessage(image))
                    : PodStatus.Waiting(c, "ContainerCreating")), names);
                await Task.Delay(_cluster.ImagePullBackOff, cancellationToken).ConfigureAwait(false);
                SetStatus("Pending", hostIp, null, startTime, scheduledAt, containers.Select((c, i) => i == pull
                    ? PodStatus.Waiting(c, "ImagePullBackOff", $"Back-off pulling image \"{ImageFaults.Reference(image)}\"")
                    : PodStatus.Waiting(c, "ContainerCreating")), names);
                return;
            }

            if (Array.IndexOf(faults, PodFault.CreateContainerError) is int broken and >= 0)
            {
                SetStatus("Pending", hostIp, null, startTime, scheduledAt, containers.Select((c, i) => i == broken
                    ? PodStatus.Waiting(c, "CreateContainerError", $"failed to create containerd container: the emulator was asked to fail container \"{names[i]}\"")
                    : PodStatus.Waiting(c, "ContainerCreating")), names);
                return;
            }

            // The images first, as the kubelet does: a node that holds one (status.images) does not pull it.
            foreach (JsonObject container in containers)
            {
                _cluster.ImagePulls.Prepare(nodeName, (string?)container["image"] ?? string.Empty, (string?)container["imagePullPolicy"]);
            }

            string policy = (string?)pod["spec"]?["restartPolicy"] ?? "Always";
            int restarts = 0;
            JsonObject?[] lastStates = new JsonObject?[containers.Length];
            while (true)
            {
                PodPlacement placement;
                _runtimeTouched = true;
                try
                {
                    JsonObject current = _cluster.Store.Get("pods", _namespace, _name) ?? pod;
                    placement = await runtime.StartPodAsync(PodSpecReader.ToLaunch(current), cancellationToken).ConfigureAwait(false);
                }
                catch (ContainerRuntimeException exception)
                {
                    SetStatus("Pending", hostIp, null, startTime, scheduledAt, containers.Select(c => PodStatus.Waiting(c, exception.Reason, exception.Message)), names);
                    return;
                }

                string? shown = null;
                while (true)
                {
                    ContainerState?[] states = names.Select(n => runtime.GetState(Uid, n)).ToArray();
                    bool allExited = states.All(s => s is { Running: false, ExitCode: not null });
                    bool failed = states.Any(s => s is { Running: false, ExitCode: not null and not 0 });
                    bool finished = allExited && (policy == "Never" || (policy == "OnFailure" && !failed));
                    string phase = finished ? (failed ? "Failed" : "Succeeded") : "Running";
                    string signature = phase + "|" + string.Join("|", states.Select(s => s is null ? "?" : s.Running ? "run" : $"exit{s.ExitCode}"));
                    if (signature != shown)
                    {
                        shown = signature;
                        var statuses = containers.Select((c, i) => Describe(c, states[i], faults[i], restarts, lastStates[i])).ToArray();
                        string[] unready = names.Where((_, i) => !(bool)statuses[i]["ready"]!).ToArray();
                        SetStatus(phase, hostIp, placement, startTime, scheduledAt, statuses, unready, completed: finished);
                    }

                    if (finished)
                    {
                        return;
                    }

                    if (allExited)
                    {
                        break;
                    }

                    await Task.Delay(_cluster.StatusInterval, cancellationToken).ConfigureAwait(false);
                }

                // restartPolicy Always, or OnFailure after a failure: the kubelet restarts the containers after a back-off.
                ContainerState?[] exited = names.Select(n => runtime.GetState(Uid, n)).ToArray();
                for (int i = 0; i < containers.Length; i++)
                {
                    lastStates[i] = new JsonObject { ["terminated"] = Terminated(exited[i]!, ContainerId(names[i], restarts)) };
                }

                SetStatus("Running", hostIp, placement, startTime, scheduledAt, containers.Select((c, i) =>
                    PodStatus.ContainerStatus(c, new JsonObject
                    {
                        ["waiting"] = new JsonObject
                        {
                            ["reason"] = "CrashLoopBackOff",
                            ["message"] = $"back-off {(int)Math.Ceiling(_cluster.RestartBackOff.TotalSeconds)}s restarting failed container={names[i]} pod={_name}_{_namespace}({Uid})",
                        },
                    }, ready: false, started: false, restarts: restarts, containerId: null, lastState: lastStates[i])), names);
                await Task.Delay(_cluster.RestartBackOff, cancellationToken).ConfigureAwait(false);
                await runtime.StopPodAsync(Uid).ConfigureAwait(false);
                restarts++;
            }
        }

        /// <summary>
        /// The kubelet's active deadline handler: kill the pod's containers, then report it Failed with DeadlineExceeded;
        /// a running container shows terminated by SIGKILL (137), one that never started keeps its waiting state.
        /// </summary>
        private async Task EndAtDeadlineAsync()
        {
            JsonObject? pod = _cluster.Store.Get("pods", _namespace, _name);
            if (pod is null || (string?)pod["status"]?["phase"] is "Succeeded" or "Failed")
            {
                return;
            }

            if (_runtimeTouched && _cluster.Runtime is IContainerRuntime runtime)
            {
                await runtime.StopPodAsync(Uid).ConfigureAwait(false);
            }

            string now = ObjectMetadata.Now();
            Update(p =>
            {
                var status = p["status"] as JsonObject ?? new JsonObject();
                status["phase"] = "Failed";
                status["reason"] = "DeadlineExceeded";
                status["message"] = "Pod was active on the node longer than the specified deadline";
                foreach (JsonObject condition in (status["conditions"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                {
                    if ((string?)condition["type"] is "Ready" or "ContainersReady")
                    {
                        condition["status"] = "False";
                        condition["reason"] = "PodFailed";
                        condition["lastTransitionTime"] = now;
                        condition.Remove("message");
                    }
                }

                foreach (JsonObject container in (status["containerStatuses"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                {
                    if (container["state"]?["running"] is JsonObject running)
                    {
                        container["state"] = new JsonObject
                        {
                            ["terminated"] = new JsonObject
                            {
                                ["exitCode"] = 137,
                                ["reason"] = "Error",
                                ["startedAt"] = (string?)running["startedAt"],
                                ["finishedAt"] = now,
                                ["containerID"] = (string?)container["containerID"],
                            },
                        };
                        container["ready"] = false;
                        container["started"] = false;
                    }
                }

                p["status"] = status;
            });
        }

        private static async Task WaitQuietlyAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        private JsonObject Describe(JsonObject container, ContainerState? state, PodFault fault, int restarts, JsonObject? lastState)
        {
            string name = (string?)container["name"] ?? string.Empty;
            string id = ContainerId(name, restarts);
            if (state is null)
            {
                return PodStatus.Waiting(container, "ContainerCreating");
            }

            if (state.Running)
            {
                return PodStatus.ContainerStatus(container, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = ObjectMetadata.Timestamp(state.StartedAt) } },
                    ready: fault != PodFault.NeverReady, started: true, restarts, id, lastState);
            }

            return PodStatus.ContainerStatus(container, new JsonObject { ["terminated"] = Terminated(state, id) }, ready: false, started: false, restarts, id, lastState);
        }

        private static JsonObject Terminated(ContainerState state, string containerId) => new()
        {
            ["exitCode"] = state.ExitCode ?? 0,
            ["reason"] = state.ExitCode == 0 ? "Completed" : "Error",
            ["startedAt"] = ObjectMetadata.Timestamp(state.StartedAt),
            ["finishedAt"] = ObjectMetadata.Timestamp(state.FinishedAt ?? DateTimeOffset.UtcNow),
            ["containerID"] = containerId,
        };

        private string ContainerId(string container, int restarts) =>
            "containerd://" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{Uid}/{container}/{restarts}"))).ToLowerInvariant();

        private void SetStatus(string phase, string hostIp, PodPlacement? placement, string startTime, string scheduledAt, IEnumerable<JsonObject> containerStatuses, IReadOnlyList<string> unready, bool completed = false)
        {
            var status = new JsonObject
            {
                ["phase"] = phase,
                ["conditions"] = PodStatus.ScheduledConditions(ObjectMetadata.Now(), scheduledAt, unready, completed),
                ["hostIP"] = placement?.HostIp ?? hostIp,
                ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = placement?.HostIp ?? hostIp }),
            };
            if (placement is not null)
            {
                status["podIP"] = placement.PodIp;
                status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = placement.PodIp });
            }

            status["startTime"] = startTime;
            status["containerStatuses"] = PodStatus.Array(containerStatuses);
            status["qosClass"] = "BestEffort";
            Update(p => p["status"] = status);
        }

        private void Update(Action<JsonObject> change) => _cluster.Store.Update("pods", _namespace, _name, change, Uid);

        private static string InternalIp(JsonObject node) =>
            (node["status"]?["addresses"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Where(a => (string?)a["type"] == "InternalIP").Select(a => (string?)a["address"]).FirstOrDefault() ?? string.Empty;
    }
}
