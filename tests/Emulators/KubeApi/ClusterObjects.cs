using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The objects the emulator serves, read from a NodeList and an optional PodList and ServiceList file (the lab
    /// writes real k3s objects; the fixtures are modelled on them). Objects are served as the files hold them; the
    /// API server's store adds a uid, creationTimestamp and resourceVersion where a file has none.
    /// </summary>
    public sealed class ClusterObjects
    {
        public ClusterObjects(IReadOnlyList<JsonObject> nodes, IReadOnlyList<JsonObject> pods)
        {
            Nodes = nodes;
            Pods = pods;
        }

        public IReadOnlyList<JsonObject> Nodes { get; }

        public IReadOnlyList<JsonObject> Pods { get; }

        /// <summary>The services the lab describes (a ServiceList), served read-only.</summary>
        public IReadOnlyList<JsonObject> Services { get; init; } = Array.Empty<JsonObject>();

        public static ClusterObjects Load(string nodesPath, string? podsPath, string? servicesPath = null) =>
            new(ReadList(nodesPath, "NodeList"), podsPath is null ? Array.Empty<JsonObject>() : ReadList(podsPath, "PodList"))
            {
                Services = servicesPath is null ? Array.Empty<JsonObject>() : ReadList(servicesPath, "ServiceList"),
            };

        /// <summary>The items of a List object; the file's own kind must match.</summary>
        public static IReadOnlyList<JsonObject> ReadList(string path, string kind)
        {
            JsonNode? root = JsonNode.Parse(File.ReadAllText(path));
            if (root is not JsonObject list || (string?)list["kind"] != kind || list["items"] is not JsonArray items)
            {
                throw new InvalidDataException($"'{path}' is not a Kubernetes {kind} (kind: {kind}, items: [...]).");
            }

            return items.OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToArray();
        }

        public static string? NameOf(JsonObject item) => (string?)item["metadata"]?["name"];

        public static string? NamespaceOf(JsonObject item) => (string?)item["metadata"]?["namespace"];

        public static IReadOnlyDictionary<string, string> LabelsOf(JsonObject item) =>
            item["metadata"]?["labels"] is JsonObject labels
                ? labels.ToDictionary(p => p.Key, p => (string?)p.Value ?? string.Empty, StringComparer.Ordinal)
                : new Dictionary<string, string>();
    }
}
