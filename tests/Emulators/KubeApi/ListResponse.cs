using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// A list answer as the API server writes it: labelSelector and fieldSelector applied, limit/continue paging (with
    /// remainingItemCount), and the store's resourceVersion, from which a watch may start.
    /// </summary>
    internal static class ListResponse
    {
        /// <summary>Reads the selectors of a list or watch request; an error when either does not parse (a 400).</summary>
        public static ApiError? TryReadSelectors(IQueryCollection query, IReadOnlyList<string> fields, out Func<JsonObject, bool> matches)
        {
            matches = _ => true;
            if (!LabelSelector.TryParse(query["labelSelector"], out LabelSelector labels, out string? error))
            {
                return ApiError.BadRequest(error!);
            }

            if (!FieldSelector.TryParse(query["fieldSelector"], fields, out FieldSelector fieldSelector, out error))
            {
                return ApiError.BadRequest(error!);
            }

            matches = item => labels.Matches(ClusterObjects.LabelsOf(item)) && fieldSelector.Matches(item);
            return null;
        }

        public static async Task WriteAsync(HttpContext context, string kind, string apiVersion, IReadOnlyList<JsonObject> all, IReadOnlyList<string> fields, string resourceVersion, int maxPageSize)
        {
            IQueryCollection query = context.Request.Query;
            if (TryReadSelectors(query, fields, out Func<JsonObject, bool> matches) is ApiError error)
            {
                await ApiResponses.WriteErrorAsync(context, error).ConfigureAwait(false);
                return;
            }

            List<JsonObject> matching = all.Where(matches).ToList();
            int offset = 0;
            string? token = query["continue"];
            if (!string.IsNullOrEmpty(token) && !ContinueToken.TryRead(token, out offset))
            {
                await ApiResponses.WriteErrorAsync(context, ApiError.BadRequest("continue key is not valid: the emulator did not issue it")).ConfigureAwait(false);
                return;
            }

            int limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out int asked) && asked > 0 ? asked : int.MaxValue;
            if (maxPageSize > 0)
            {
                limit = Math.Min(limit, maxPageSize);
            }

            List<JsonObject> page = matching.Skip(offset).Take(limit).ToList();
            int next = offset + page.Count;
            var metadata = new JsonObject { ["resourceVersion"] = resourceVersion };
            if (next < matching.Count)
            {
                metadata["continue"] = ContinueToken.Write(next);
                metadata["remainingItemCount"] = matching.Count - next;
            }

            await ApiResponses.WriteJsonAsync(context, new JsonObject
            {
                ["kind"] = kind,
                ["apiVersion"] = apiVersion,
                ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Select(o => (JsonNode)o.DeepClone()).ToArray()),
            }).ConfigureAwait(false);
        }
    }
}
