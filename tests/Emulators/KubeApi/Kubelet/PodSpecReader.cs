using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>Reads what the kubelet needs from Pod and Node objects as JSON (the API side stores them so).</summary>
    public static class PodSpecReader
    {
        /// <summary>The pod's launch: node, host namespaces, containers with command, args, privileged and hostPath mounts.</summary>
        public static PodLaunch ToLaunch(JsonObject pod)
        {
            ArgumentNullException.ThrowIfNull(pod);
            JsonNode? metadata = pod["metadata"];
            JsonNode? spec = pod["spec"];
            var hostPaths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonObject volume in (spec?["volumes"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                if ((string?)volume["name"] is string name && (string?)volume["hostPath"]?["path"] is string path)
                {
                    hostPaths[name] = path;
                }
            }

            ContainerLaunch[] containers = Containers(spec)
                .Select(c => new ContainerLaunch(
                    (string?)c["name"] ?? string.Empty,
                    (string?)c["image"] ?? string.Empty,
                    Strings(c["command"]),
                    Strings(c["args"]),
                    (bool?)c["securityContext"]?["privileged"] ?? false,
                    (c["volumeMounts"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                        .Where(m => (string?)m["name"] is string n && hostPaths.ContainsKey(n))
                        .Select(m => new HostPathMount(hostPaths[(string)m["name"]!], (string?)m["mountPath"] ?? string.Empty, (bool?)m["readOnly"] ?? false))
                        .ToArray()))
                .ToArray();
            return new PodLaunch(
                (string?)metadata?["uid"] ?? $"{(string?)metadata?["namespace"]}/{(string?)metadata?["name"]}",
                (string?)metadata?["namespace"] ?? "default",
                (string?)metadata?["name"] ?? string.Empty,
                (string?)spec?["nodeName"] ?? string.Empty,
                (bool?)spec?["hostNetwork"] ?? false,
                (bool?)spec?["hostPID"] ?? false,
                containers);
        }

        /// <summary>The containers of a pod's spec (none when it has none).</summary>
        public static IEnumerable<JsonObject> Containers(JsonNode? spec) => (spec?["containers"] as JsonArray ?? new JsonArray()).OfType<JsonObject>();

        /// <summary>Each node's InternalIP by node name (status.addresses).</summary>
        public static IReadOnlyDictionary<string, string> InternalIps(IEnumerable<JsonObject> nodes)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonObject node in nodes)
            {
                string? name = (string?)node["metadata"]?["name"];
                string? ip = (node["status"]?["addresses"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                    .Where(a => (string?)a["type"] == "InternalIP").Select(a => (string?)a["address"]).FirstOrDefault();
                if (name is not null && ip is not null)
                {
                    result[name] = ip;
                }
            }

            return result;
        }

        private static IReadOnlyList<string> Strings(JsonNode? node) =>
            node is JsonArray array ? array.Select(v => (string?)v ?? string.Empty).ToArray() : Array.Empty<string>();
    }
}
