using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>Reads a stored pod as the kubelet hands it to the runtime (<see cref="PodLaunch"/>).</summary>
    internal static class PodLaunchReader
    {
        public static PodLaunch Read(JsonObject pod)
        {
            JsonObject spec = pod["spec"] as JsonObject ?? new JsonObject();
            var hostPaths = (spec["volumes"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Where(v => v["hostPath"] is JsonObject)
                .ToDictionary(v => (string?)v["name"] ?? string.Empty, v => (string?)v["hostPath"]!["path"] ?? string.Empty, StringComparer.Ordinal);
            ContainerLaunch[] containers = Containers(spec).Select(c => new ContainerLaunch(
                (string?)c["name"] ?? string.Empty,
                (string?)c["image"] ?? string.Empty,
                Strings(c["command"]),
                Strings(c["args"]),
                (bool?)c["securityContext"]?["privileged"] == true,
                (c["volumeMounts"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                    .Where(m => hostPaths.ContainsKey((string?)m["name"] ?? string.Empty))
                    .Select(m => new HostPathMount(hostPaths[(string?)m["name"] ?? string.Empty], (string?)m["mountPath"] ?? string.Empty, (bool?)m["readOnly"] == true))
                    .ToArray())).ToArray();
            return new PodLaunch(
                (string?)pod["metadata"]?["uid"] ?? string.Empty,
                ClusterObjects.NamespaceOf(pod) ?? string.Empty,
                ClusterObjects.NameOf(pod) ?? string.Empty,
                (string?)spec["nodeName"] ?? string.Empty,
                (bool?)spec["hostNetwork"] == true,
                (bool?)spec["hostPID"] == true,
                containers);
        }

        public static IEnumerable<JsonObject> Containers(JsonObject spec) => (spec["containers"] as JsonArray ?? new JsonArray()).OfType<JsonObject>();

        private static IReadOnlyList<string> Strings(JsonNode? node) =>
            (node as JsonArray ?? new JsonArray()).Select(v => (string?)v ?? string.Empty).ToArray();
    }
}
