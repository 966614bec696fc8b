using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>/api/v1/namespaces/{ns}/services and /api/v1/services: the services the lab describes (--services), read-only.</summary>
    internal static class ServiceApi
    {
        public static Task ListAsync(HttpContext context, Cluster cluster, string? ns) =>
            ListResponse.WriteAsync(context, "ServiceList", "v1", cluster.Store.List("services", ns), FieldSelector.ObjectFields, cluster.Store.RevisionText, cluster.MaxPageSize);

        public static Task GetAsync(HttpContext context, Cluster cluster, string ns, string name) =>
            cluster.Store.Get("services", ns, name) is JsonObject found
                ? ApiResponses.WriteJsonAsync(context, found)
                : ApiResponses.WriteErrorAsync(context, ApiError.NotFound("services", name));
    }
}
