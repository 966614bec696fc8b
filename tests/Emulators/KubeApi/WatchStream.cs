using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// A watch (<c>?watch=true</c>) as the API server streams it: one JSON line per event,
    /// <c>{"type":"ADDED|MODIFIED|DELETED","object":{...}}</c>, flushed as it happens, until timeoutSeconds, the client
    /// leaving, or the emulator stopping. Through a selector, an object that starts matching arrives as ADDED and one
    /// that stops matching as DELETED, as the API server's filtered watch reports them. The server may end a watch
    /// itself after <c>maxDuration</c>, as an API server does after its request timeout; a client resumes it.
    /// </summary>
    internal static class WatchStream
    {
        public static async Task ServeAsync(HttpContext context, ObjectStore store, string resource, string? ns, Func<JsonObject, bool> matches, bool filtered, CancellationToken stopping, TimeSpan maxDuration = default)
        {
            IQueryCollection query = context.Request.Query;
            Channel<StoreEvent>? channel = store.Watch(resource, query["resourceVersion"]);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync().ConfigureAwait(false);
            if (channel is null)
            {
                await WriteEventAsync(context, "ERROR", ApiResponses.Status(HttpStatusCode.Gone, "Expired",
                    $"too old resource version: {query["resourceVersion"]} ({store.RevisionText})")).ConfigureAwait(false);
                return;
            }

            using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            if (int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0)
            {
                ends.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            if (maxDuration > TimeSpan.Zero && (seconds <= 0 || maxDuration < TimeSpan.FromSeconds(seconds)))
            {
                ends.CancelAfter(maxDuration);
            }

            // A watch resumed from a resourceVersion continues one the client had: what matches now matched then, as
            // far as the emulator can tell, so its next change is MODIFIED (or DELETED), not ADDED.
            var members = new HashSet<string>(StringComparer.Ordinal);
            if (!string.IsNullOrEmpty(query["resourceVersion"]) && query["resourceVersion"] != "0" && filtered)
            {
                foreach (JsonObject existing in store.List(resource, ns))
                {
                    if (matches(existing))
                    {
                        members.Add(KeyOf(existing));
                    }
                }
            }

            try
            {
                await foreach (StoreEvent change in channel.Reader.ReadAllAsync(ends.Token).ConfigureAwait(false))
                {
                    if (ns is not null && ClusterObjects.NamespaceOf(change.Object) != ns)
                    {
                        continue;
                    }

                    string key = KeyOf(change.Object);
                    bool member = members.Contains(key);
                    string? type = change.Type switch
                    {
                        // The deleted object is its last state: it was in the watch's view when that state matched.
                        "DELETED" => member || !filtered || matches(change.Object) ? "DELETED" : null,
                        _ when matches(change.Object) => member || !filtered ? change.Type : "ADDED",
                        _ => member ? "DELETED" : null,
                    };
                    if (type is null)
                    {
                        continue;
                    }

                    if (type == "DELETED")
                    {
                        members.Remove(key);
                    }
                    else
                    {
                        members.Add(key);
                    }

                    if (!filtered || type == "DELETED" || matches(change.Object))
                    {
                        await WriteEventAsync(context, type, change.Object).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or System.IO.IOException)
            {
                // timeoutSeconds passed, the client left, or the emulator stops: the stream just ends.
            }
            finally
            {
                store.StopWatching(channel);
            }
        }

        private static string KeyOf(JsonObject item) =>
            (string?)item["metadata"]?["uid"] ?? $"{ClusterObjects.NamespaceOf(item)}/{ClusterObjects.NameOf(item)}";

        private static async Task WriteEventAsync(HttpContext context, string type, JsonObject item)
        {
            string line = new JsonObject { ["type"] = type, ["object"] = item }.ToJsonString() + "\n";
            await context.Response.WriteAsync(line).ConfigureAwait(false);
            await context.Response.Body.FlushAsync().ConfigureAwait(false);
        }
    }
}
