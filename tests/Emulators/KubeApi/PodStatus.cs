using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>The pieces of status.conditions and status.containerStatuses as the kubelet and the scheduler write them.</summary>
    internal static class PodStatus
    {
        public static JsonObject Condition(string type, bool status, string time, string? reason = null, string? message = null)
        {
            var condition = new JsonObject
            {
                ["type"] = type,
                ["status"] = status ? "True" : "False",
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = time,
            };
            if (reason is not null)
            {
                condition["reason"] = reason;
            }

            if (message is not null)
            {
                condition["message"] = message;
            }

            return condition;
        }

        /// <summary>The conditions of a scheduled pod: Initialized, Ready, ContainersReady, PodScheduled (the kubelet's order).</summary>
        public static JsonArray ScheduledConditions(string time, string scheduledTime, IReadOnlyList<string> unready, bool completed = false)
        {
            string? reason = completed ? "PodCompleted" : unready.Count > 0 ? "ContainersNotReady" : null;
            string? message = !completed && unready.Count > 0 ? $"containers with unready status: [{string.Join(" ", unready)}]" : null;
            bool ready = !completed && unready.Count == 0;
            return new JsonArray(
                Condition("Initialized", true, scheduledTime, completed ? "PodCompleted" : null),
                Condition("Ready", ready, time, reason, message),
                Condition("ContainersReady", ready, time, reason, message),
                Condition("PodScheduled", true, scheduledTime));
        }

        public static JsonObject Waiting(JsonObject container, string reason, string? message = null)
        {
            var waiting = new JsonObject { ["reason"] = reason };
            if (message is not null)
            {
                waiting["message"] = message;
            }

            return ContainerStatus(container, new JsonObject { ["waiting"] = waiting }, ready: false, started: false, restarts: 0, containerId: null);
        }

        public static JsonObject ContainerStatus(JsonObject container, JsonObject state, bool ready, bool started, int restarts, string? containerId, JsonObject? lastState = null)
        {
            string image = ImageFaults.FullReference((string?)container["image"] ?? string.Empty);
            var status = new JsonObject
            {
                ["name"] = (string?)container["name"],
                ["state"] = state,
                ["lastState"] = lastState?.DeepClone() ?? new JsonObject(),
                ["ready"] = ready,
                ["restartCount"] = restarts,
                ["image"] = image,
                ["imageID"] = started ? image : string.Empty,
                ["started"] = started,
            };
            if (containerId is not null)
            {
                status["containerID"] = containerId;
            }

            return status;
        }

        public static JsonArray Array(IEnumerable<JsonObject> items) => new(items.Select(i => (JsonNode)i).ToArray());
    }
}
