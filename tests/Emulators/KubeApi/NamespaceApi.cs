using System;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// /api/v1/namespaces: create (409 when it exists, 422 for a bad name), get, list with selectors, watch, and
    /// delete, which marks it Terminating, deletes its DaemonSets and pods (each stopped through the runtime) and
    /// services, and then removes it, as the namespace controller does.
    /// </summary>
    internal static class NamespaceApi
    {
        public static readonly string[] Fields = { "metadata.name", "status.phase" };

        public static JsonObject NewNamespace(string name) => new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["uid"] = Guid.NewGuid().ToString(),
                ["creationTimestamp"] = ObjectMetadata.Now(),
                ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name },
            },
            ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
            ["status"] = new JsonObject { ["phase"] = "Active" },
        };

        /// <summary>The namespace an object may be created in: null when it may; else 404 (no such namespace) or 403 (terminating).</summary>
        public static ApiError? CheckCreatable(Cluster cluster, string ns, string resource, string? name, string? group = null)
        {
            JsonObject? found = cluster.Store.Get("namespaces", string.Empty, ns);
            if (found is null)
            {
                return ApiError.NotFound("namespaces", ns);
            }

            if ((string?)found["status"]?["phase"] == "Terminating")
            {
                string subject = (string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}") + (string.IsNullOrEmpty(name) ? string.Empty : $" \"{name}\"");
                return new ApiError(HttpStatusCode.Forbidden, "Forbidden",
                    $"{subject} is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    ApiResponses.Details(name, group, resource));
            }

            return null;
        }

        public static async Task CreateAsync(HttpContext context, Cluster cluster)
        {
            if (await RequestBody.ReadAsync(context).ConfigureAwait(false) is not JsonObject body)
            {
                await ApiResponses.WriteErrorAsync(context, RequestBody.NotAnObject("Namespace")).ConfigureAwait(false);
                return;
            }

            string name = (string?)body["metadata"]?["name"] ?? string.Empty;
            if (name.Length == 0 && (string?)body["metadata"]?["generateName"] is { Length: > 0 } prefix)
            {
                name = prefix + ObjectMetadata.RandomSuffix();
            }

            if (!ObjectMetadata.IsLabel(name))
            {
                string detail = name.Length == 0 ? "metadata.name: Required value: name or generateName is required" : $"metadata.name: Invalid value: \"{name}\": {ObjectMetadata.Rfc1123LabelMessage}";
                await ApiResponses.WriteErrorAsync(context, PodApi.Invalid("Namespace", "namespaces", name, detail)).ConfigureAwait(false);
                return;
            }

            JsonObject item = NewNamespace(name);
            if (body["metadata"]?["labels"] is JsonObject labels)
            {
                foreach (var label in labels)
                {
                    item["metadata"]!["labels"]![label.Key] = label.Value?.DeepClone();
                }
            }

            if (body["metadata"]?["annotations"] is JsonObject annotations)
            {
                item["metadata"]!["annotations"] = annotations.DeepClone();
            }

            if (!cluster.Store.TryAdd("namespaces", item, out JsonObject stored))
            {
                await ApiResponses.WriteErrorAsync(context, ApiError.AlreadyExists("namespaces", name)).ConfigureAwait(false);
                return;
            }

            await ApiResponses.WriteJsonAsync(context, stored, StatusCodes.Status201Created).ConfigureAwait(false);
        }

        public static Task GetAsync(HttpContext context, Cluster cluster, string name) =>
            cluster.Store.Get("namespaces", string.Empty, name) is JsonObject found
                ? ApiResponses.WriteJsonAsync(context, found)
                : ApiResponses.WriteErrorAsync(context, ApiError.NotFound("namespaces", name));

        public static Task ListAsync(HttpContext context, Cluster cluster) =>
            PodApi.IsWatch(context)
                ? PodApi.WatchAsync(context, cluster, "namespaces", null, Fields)
                : ListResponse.WriteAsync(context, "NamespaceList", "v1", cluster.Store.List("namespaces"), Fields, cluster.Store.RevisionText, cluster.MaxPageSize);

        public static async Task DeleteAsync(HttpContext context, Cluster cluster, string name)
        {
            string now = ObjectMetadata.Now();
            JsonObject? marked = cluster.Store.Update("namespaces", string.Empty, name, ns =>
            {
                ns["metadata"]!["deletionTimestamp"] ??= now;
                ns["status"] = new JsonObject { ["phase"] = "Terminating" };
            });
            if (marked is null)
            {
                await ApiResponses.WriteErrorAsync(context, ApiError.NotFound("namespaces", name)).ConfigureAwait(false);
                return;
            }

            _ = Task.Run(() => TerminateAsync(cluster, name));
            await ApiResponses.WriteJsonAsync(context, marked).ConfigureAwait(false);
        }

        private static async Task TerminateAsync(Cluster cluster, string name)
        {
            try
            {
                await cluster.DaemonSets.DeleteAllAsync(name).ConfigureAwait(false);
                Task[] gone = cluster.Store.List("pods", name).Select(p => PodApi.Delete(cluster, p, gracePeriodSeconds: null)).ToArray();
                await Task.WhenAll(gone).WaitAsync(TimeSpan.FromMinutes(2), cluster.Stopping).ConfigureAwait(false);
                foreach (JsonObject service in cluster.Store.List("services", name))
                {
                    cluster.Store.Remove("services", name, ClusterObjects.NameOf(service)!);
                }

                cluster.Store.Remove("namespaces", string.Empty, name);
            }
            catch (OperationCanceledException)
            {
                // The emulator stops: its pods are stopped by the kubelet loop.
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"namespace {name}: pods did not stop within 2 minutes; it stays Terminating, as in Kubernetes");
            }
        }
    }
}
