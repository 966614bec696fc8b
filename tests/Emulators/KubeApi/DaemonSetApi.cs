using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// /apis/apps/v1/namespaces/{ns}/daemonsets and /apis/apps/v1/daemonsets: create (the controller then places its
    /// pods), get, list, watch, delete (its pods are deleted after it, as background propagation does).
    /// </summary>
    internal static class DaemonSetApi
    {
        private const string Group = "apps";

        public static Task ListAsync(HttpContext context, Cluster cluster, string? ns) =>
            PodApi.IsWatch(context)
                ? PodApi.WatchAsync(context, cluster, "daemonsets", ns, FieldSelector.ObjectFields)
                : ListResponse.WriteAsync(context, "DaemonSetList", "apps/v1", cluster.Store.List("daemonsets", ns), FieldSelector.ObjectFields, cluster.Store.RevisionText, cluster.MaxPageSize);

        public static Task GetAsync(HttpContext context, Cluster cluster, string ns, string name) =>
            cluster.Store.Get("daemonsets", ns, name) is JsonObject found
                ? ApiResponses.WriteJsonAsync(context, found)
                : ApiResponses.WriteErrorAsync(context, ApiError.NotFound("daemonsets", name, Group));

        public static async Task CreateAsync(HttpContext context, Cluster cluster, string ns)
        {
            if (await RequestBody.ReadAsync(context).ConfigureAwait(false) is not JsonObject body)
            {
                await ApiResponses.WriteErrorAsync(context, RequestBody.NotAnObject("DaemonSet")).ConfigureAwait(false);
                return;
            }

            var daemonSet = (JsonObject)body.DeepClone();
            ObjectMetadata.Fill(daemonSet, ns, hasGeneration: true);
            daemonSet["apiVersion"] = "apps/v1";
            daemonSet["kind"] = "DaemonSet";
            string name = ClusterObjects.NameOf(daemonSet) ?? string.Empty;
            if (NamespaceApi.CheckCreatable(cluster, ns, "daemonsets", name, Group) is ApiError unavailable)
            {
                await ApiResponses.WriteErrorAsync(context, unavailable).ConfigureAwait(false);
                return;
            }

            if (Validate(daemonSet) is ApiError invalid)
            {
                await ApiResponses.WriteErrorAsync(context, invalid).ConfigureAwait(false);
                return;
            }

            var spec = daemonSet["spec"]!.AsObject();
            spec["revisionHistoryLimit"] ??= 10;
            spec["updateStrategy"] ??= new JsonObject
            {
                ["type"] = "RollingUpdate",
                ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 },
            };
            var podSpec = spec["template"]!["spec"]!.AsObject();
            podSpec["restartPolicy"] ??= "Always";
            daemonSet["status"] = new JsonObject
            {
                ["currentNumberScheduled"] = 0,
                ["numberMisscheduled"] = 0,
                ["desiredNumberScheduled"] = 0,
                ["numberReady"] = 0,
            };
            if (!cluster.Store.TryAdd("daemonsets", daemonSet, out JsonObject stored))
            {
                await ApiResponses.WriteErrorAsync(context, ApiError.AlreadyExists("daemonsets", name, Group)).ConfigureAwait(false);
                return;
            }

            cluster.DaemonSets.Wake();
            await ApiResponses.WriteJsonAsync(context, stored, StatusCodes.Status201Created).ConfigureAwait(false);
        }

        public static async Task DeleteAsync(HttpContext context, Cluster cluster, string ns, string name)
        {
            JsonObject? removed = await cluster.DaemonSets.DeleteAsync(ns, name).ConfigureAwait(false);
            await (removed is null
                ? ApiResponses.WriteErrorAsync(context, ApiError.NotFound("daemonsets", name, Group))
                : ApiResponses.WriteJsonAsync(context, ApiResponses.DeletedStatus(name, Group, "daemonsets", (string?)removed["metadata"]?["uid"] ?? string.Empty))).ConfigureAwait(false);
        }

        private static ApiError? Validate(JsonObject daemonSet)
        {
            string name = ClusterObjects.NameOf(daemonSet) ?? string.Empty;
            if (name.Length == 0)
            {
                return PodApi.Invalid("DaemonSet.apps", "daemonsets", name, "metadata.name: Required value: name or generateName is required");
            }

            if (!ObjectMetadata.IsSubdomain(name))
            {
                return PodApi.Invalid("DaemonSet.apps", "daemonsets", name, $"metadata.name: Invalid value: \"{name}\": {ObjectMetadata.Rfc1123SubdomainMessage}");
            }

            if (daemonSet["spec"]?["selector"] is not JsonObject selector)
            {
                return PodApi.Invalid("DaemonSet.apps", "daemonsets", name, "spec.selector: Required value");
            }

            if (daemonSet["spec"]?["template"]?["spec"]?["containers"] is not JsonArray { Count: > 0 })
            {
                return PodApi.Invalid("DaemonSet.apps", "daemonsets", name, "spec.template.spec.containers: Required value");
            }

            var labels = daemonSet["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? new JsonObject();
            bool matches = (selector["matchLabels"] as JsonObject ?? new JsonObject())
                .All(l => (string?)labels[l.Key] == (string?)l.Value);
            if (!matches || (selector["matchLabels"] as JsonObject)?.Count is null or 0)
            {
                string shown = "map[string]string{" + string.Join(", ", labels.Select(l => $"\"{l.Key}\":\"{(string?)l.Value}\"")) + "}";
                return PodApi.Invalid("DaemonSet.apps", "daemonsets", name, $"spec.template.metadata.labels: Invalid value: {shown}: `selector` does not match template `labels`");
            }

            return null;
        }
    }
}
