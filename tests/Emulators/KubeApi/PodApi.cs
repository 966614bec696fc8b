using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// /api/v1/namespaces/{ns}/pods and /api/v1/pods: create (404 without the namespace, 422 Invalid, Pod Security's
    /// 403, 409), get, list and watch with label and field selectors, delete (graceful: deletionTimestamp, the
    /// kubelet stops it, then it is gone; gracePeriodSeconds=0: gone at once). Created pods go to the kubelet loop.
    /// </summary>
    internal static class PodApi
    {
        public static bool IsWatch(HttpContext context) =>
            context.Request.Query["watch"] is var watch && (string.Equals(watch, "true", StringComparison.OrdinalIgnoreCase) || watch == "1");

        public static async Task WatchAsync(HttpContext context, Cluster cluster, string resource, string? ns, IReadOnlyList<string> fields)
        {
            if (ListResponse.TryReadSelectors(context.Request.Query, fields, out Func<JsonObject, bool> matches) is ApiError error)
            {
                await ApiResponses.WriteErrorAsync(context, error).ConfigureAwait(false);
                return;
            }

            bool filtered = !string.IsNullOrEmpty(context.Request.Query["labelSelector"]) || !string.IsNullOrEmpty(context.Request.Query["fieldSelector"]);
            await WatchStream.ServeAsync(context, cluster.Store, resource, ns, matches, filtered, cluster.Stopping, cluster.MaxWatchDuration).ConfigureAwait(false);
        }

        public static Task ListAsync(HttpContext context, Cluster cluster, string? ns) =>
            IsWatch(context)
                ? WatchAsync(context, cluster, "pods", ns, FieldSelector.PodFields)
                : ListResponse.WriteAsync(context, "PodList", "v1", cluster.Store.List("pods", ns), FieldSelector.PodFields, cluster.Store.RevisionText, cluster.MaxPageSize);

        public static Task GetAsync(HttpContext context, Cluster cluster, string ns, string name) =>
            cluster.Store.Get("pods", ns, name) is JsonObject pod
                ? ApiResponses.WriteJsonAsync(context, pod)
                : ApiResponses.WriteErrorAsync(context, ApiError.NotFound("pods", name));

        public static async Task CreateAsync(HttpContext context, Cluster cluster, string ns)
        {
            if (await RequestBody.ReadAsync(context).ConfigureAwait(false) is not JsonObject body)
            {
                await ApiResponses.WriteErrorAsync(context, RequestBody.NotAnObject("Pod")).ConfigureAwait(false);
                return;
            }

            (JsonObject? created, ApiError? error) = Create(cluster, ns, body);
            await (error is not null
                ? ApiResponses.WriteErrorAsync(context, error)
                : ApiResponses.WriteJsonAsync(context, created!, StatusCodes.Status201Created)).ConfigureAwait(false);
        }

        /// <summary>Admits and stores a pod, in the API server's order: namespace, validation, Pod Security, storage; then the kubelet runs it.</summary>
        public static (JsonObject? Created, ApiError? Error) Create(Cluster cluster, string ns, JsonObject body)
        {
            var pod = (JsonObject)body.DeepClone();
            string? claimed = ClusterObjects.NamespaceOf(pod);
            if (!string.IsNullOrEmpty(claimed) && claimed != ns)
            {
                return (null, ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
            }

            ObjectMetadata.Fill(pod, ns);
            pod["apiVersion"] = "v1";
            pod["kind"] = "Pod";
            string name = ClusterObjects.NameOf(pod) ?? string.Empty;
            if (NamespaceApi.CheckCreatable(cluster, ns, "pods", name) is ApiError unavailable)
            {
                return (null, unavailable);
            }

            if (Validate(pod) is ApiError invalid)
            {
                return (null, invalid);
            }

            if (PodSecurityAdmission.Check(pod, cluster.Store.Get("namespaces", string.Empty, ns)) is ApiError refused)
            {
                return (null, refused);
            }

            ApplyDefaults(pod);
            if (!cluster.Store.TryAdd("pods", pod, out JsonObject stored))
            {
                return (null, ApiError.AlreadyExists("pods", name));
            }

            cluster.Kubelet.Track(stored);
            return (stored, null);
        }

        public static async Task DeleteAsync(HttpContext context, Cluster cluster, string ns, string name)
        {
            JsonObject? pod = cluster.Store.Get("pods", ns, name);
            if (pod is null)
            {
                await ApiResponses.WriteErrorAsync(context, ApiError.NotFound("pods", name)).ConfigureAwait(false);
                return;
            }

            int? grace = int.TryParse(context.Request.Query["gracePeriodSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out int asked) ? asked : null;
            if (grace is null && await RequestBody.ReadAsync(context).ConfigureAwait(false) is JsonObject options && (int?)options["gracePeriodSeconds"] is int fromBody)
            {
                grace = fromBody;
            }

            _ = Delete(cluster, pod, grace, out JsonObject answered);
            await ApiResponses.WriteJsonAsync(context, answered).ConfigureAwait(false);
        }

        /// <summary>Deletes a pod; the task ends when it is gone from the store.</summary>
        public static Task Delete(Cluster cluster, JsonObject pod, int? gracePeriodSeconds) => Delete(cluster, pod, gracePeriodSeconds, out _);

        private static Task Delete(Cluster cluster, JsonObject pod, int? gracePeriodSeconds, out JsonObject answered)
        {
            string ns = ClusterObjects.NamespaceOf(pod)!;
            string name = ClusterObjects.NameOf(pod)!;
            string uid = (string?)pod["metadata"]?["uid"] ?? string.Empty;
            int grace = gracePeriodSeconds ?? (int?)pod["spec"]?["terminationGracePeriodSeconds"] ?? 30;
            string now = ObjectMetadata.Now();
            void Mark(JsonObject p)
            {
                p["metadata"]!["deletionTimestamp"] ??= now;
                p["metadata"]!["deletionGracePeriodSeconds"] ??= grace;
            }

            JsonObject? marked = cluster.Store.Update("pods", ns, name, Mark, uid);
            answered = marked ?? pod;
            bool graceful = grace > 0 && (string?)pod["status"]?["phase"] is not ("Succeeded" or "Failed");
            if (!graceful)
            {
                // Gone from the API at once; the kubelet still stops its processes.
                cluster.Store.Remove("pods", ns, name, uid);
            }

            if (cluster.Kubelet.RequestDeletion(uid, out Task gone))
            {
                return gone;
            }

            cluster.Store.Remove("pods", ns, name, uid);
            return Task.CompletedTask;
        }

        public static ApiError Invalid(string kind, string resource, string name, params string[] problems)
        {
            string summary = problems.Length == 1 ? problems[0] : $"[{string.Join(", ", problems)}]";
            var causes = new JsonArray(problems.Select(p =>
            {
                int colon = p.IndexOf(": ", StringComparison.Ordinal);
                string message = p[(colon + 2)..];
                return (JsonNode)new JsonObject
                {
                    ["reason"] = message.StartsWith("Required value", StringComparison.Ordinal) ? "FieldValueRequired" : "FieldValueInvalid",
                    ["message"] = message,
                    ["field"] = p[..colon],
                };
            }).ToArray());
            JsonObject details = ApiResponses.Details(name, null, kind);
            details["causes"] = causes;
            return new ApiError(HttpStatusCode.UnprocessableEntity, "Invalid", $"{kind} \"{name}\" is invalid: {summary}", details);
        }

        private static ApiError? Validate(JsonObject pod)
        {
            string name = ClusterObjects.NameOf(pod) ?? string.Empty;
            var problems = new List<string>();
            if (name.Length == 0)
            {
                problems.Add("metadata.name: Required value: name or generateName is required");
            }
            else if (!ObjectMetadata.IsSubdomain(name))
            {
                problems.Add($"metadata.name: Invalid value: \"{name}\": {ObjectMetadata.Rfc1123SubdomainMessage}");
            }

            JsonObject[] containers = (pod["spec"]?["containers"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().ToArray();
            if (containers.Length == 0)
            {
                problems.Add("spec.containers: Required value");
            }

            for (int i = 0; i < containers.Length; i++)
            {
                string container = (string?)containers[i]["name"] ?? string.Empty;
                if (container.Length == 0)
                {
                    problems.Add($"spec.containers[{i}].name: Required value");
                }
                else if (!ObjectMetadata.IsLabel(container))
                {
                    problems.Add($"spec.containers[{i}].name: Invalid value: \"{container}\": {ObjectMetadata.Rfc1123LabelMessage}");
                }

                if (string.IsNullOrEmpty((string?)containers[i]["image"]))
                {
                    problems.Add($"spec.containers[{i}].image: Required value");
                }
            }

            return problems.Count == 0 ? null : Invalid("Pod", "pods", name, problems.ToArray());
        }

        /// <summary>The defaults the API server and its default admission plugins fill in.</summary>
        private static void ApplyDefaults(JsonObject pod)
        {
            var spec = pod["spec"] as JsonObject ?? new JsonObject();
            pod["spec"] = spec;
            spec["restartPolicy"] ??= "Always";
            spec["terminationGracePeriodSeconds"] ??= 30;
            spec["dnsPolicy"] ??= "ClusterFirst";
            spec["schedulerName"] ??= "default-scheduler";
            spec["serviceAccountName"] ??= "default";
            spec["priority"] ??= 0;
            foreach (JsonObject container in PodSpecReader.Containers(spec))
            {
                string image = (string?)container["image"] ?? string.Empty;
                container["imagePullPolicy"] ??= ImageFaults.Reference(image).EndsWith(":latest", StringComparison.Ordinal) ? "Always" : "IfNotPresent";
                container["terminationMessagePath"] ??= "/dev/termination-log";
                container["terminationMessagePolicy"] ??= "File";
            }

            // DefaultTolerationSeconds: ride out a node's short NotReady or unreachable spell.
            var tolerations = spec["tolerations"] as JsonArray ?? new JsonArray();
            spec["tolerations"] = tolerations;
            foreach (string key in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
            {
                if (!tolerations.OfType<JsonObject>().Any(t => Scheduler.Tolerates(t, key, string.Empty, "NoExecute")))
                {
                    tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
                }
            }

            pod["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
        }
    }
}
