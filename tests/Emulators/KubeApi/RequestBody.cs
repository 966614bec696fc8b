using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>The JSON object a create or delete request carries.</summary>
    internal static class RequestBody
    {
        /// <summary>The body as an object; null when there is none (a delete without options) or it is not an object.</summary>
        public static async Task<JsonObject?> ReadAsync(HttpContext context)
        {
            try
            {
                return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public static ApiError NotAnObject(string kind) =>
            ApiError.BadRequest($"the body of the request was in an unknown format: expected a {kind} object as JSON");
    }
}
