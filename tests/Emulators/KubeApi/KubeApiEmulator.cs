using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// A Kubernetes API server on loopback (or a lab address) serving the reads K3sNet makes: nodes with label
    /// selectors and limit/continue paging, kube-system CoreDNS pods, /version. Bearer-token auth (401 for a wrong
    /// token), errors as Status objects, and faults on demand per resource (403, hang, slow, 500). Start it on port 0 and
    /// read <see cref="Url"/>; dispose it to stop.
    /// </summary>
    public sealed class KubeApiEmulator : IAsyncDisposable
    {
        /// <summary>The path prefix of the test-control endpoints (faults, request log); never part of the Kubernetes API.</summary>
        public const string ControlPrefix = "/emulator";

        private readonly ClusterObjects _objects;
        private readonly string _token;
        private readonly ConcurrentDictionary<string, ResourceFault> _faults = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<RecordedRequest> _requests = new();
        private readonly CancellationTokenSource _stopping = new();
        private WebApplication? _app;
        private int _active;

        public KubeApiEmulator(ClusterObjects objects, string token)
        {
            _objects = objects ?? throw new ArgumentNullException(nameof(objects));
            _token = string.IsNullOrEmpty(token) ? throw new ArgumentException("A token is required.", nameof(token)) : token;
        }

        /// <summary>The user name the 403 message names, as an API server names the caller.</summary>
        public string UserName { get; init; } = "system:serviceaccount:kube-system:k3snet-reader";

        /// <summary>The most items one list answer holds, whatever limit the client asks for (0: no cap).</summary>
        public int MaxPageSize { get; init; }

        /// <summary>How long a <see cref="ResourceFault.Slow"/> answer waits.</summary>
        public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(2);

        /// <summary>The git version /version reports.</summary>
        public string ServerVersion { get; init; } = "v1.31.5+k3s1";

        /// <summary>The base URL, such as http://127.0.0.1:41234, once started.</summary>
        public Uri Url { get; private set; } = new("http://unstarted.invalid");

        /// <summary>Every API request received so far, in order (control requests excluded).</summary>
        public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

        /// <summary>API requests received and not yet finished: a hung request shows here until the client gives up.</summary>
        public int ActiveRequests => Volatile.Read(ref _active);

        public void SetFault(string resource, ResourceFault fault) => _faults[resource] = fault;

        public void ClearFaults() => _faults.Clear();

        public void ClearRequests() => _requests.Clear();

        public async Task StartAsync(IPAddress address, int port = 0)
        {
            ArgumentNullException.ThrowIfNull(address);
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            string host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}"));
            WebApplication app = builder.Build();
            app.Run(HandleAsync);
            await app.StartAsync().ConfigureAwait(false);
            string bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            Url = new Uri(bound.Replace("[::]", host, StringComparison.Ordinal).Replace("0.0.0.0", host, StringComparison.Ordinal));
            _app = app;
        }

        /// <summary>
        /// Writes a kubeconfig (mode 600: it holds the token) whose one context points at this emulator with its token.
        /// </summary>
        public void WriteKubeconfig(string path, string contextName = "k3snet-emulator")
        {
            string text = $"""
                apiVersion: v1
                kind: Config
                current-context: {contextName}
                clusters:
                - name: {contextName}
                  cluster:
                    server: {Url.GetLeftPart(UriPartial.Authority)}
                contexts:
                - name: {contextName}
                  context:
                    cluster: {contextName}
                    user: {contextName}
                users:
                - name: {contextName}
                  user:
                    token: {_token}

                """;
            File.WriteAllText(path, string.Empty);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(path, text);
        }

        public async ValueTask DisposeAsync()
        {
            _stopping.Cancel();
            if (_app is not null)
            {
                await _app.StopAsync().ConfigureAwait(false);
                await _app.DisposeAsync().ConfigureAwait(false);
            }

            _stopping.Dispose();
        }

        private async Task HandleAsync(HttpContext context)
        {
            string path = context.Request.Path.Value ?? "/";
            bool authorized = IsAuthorized(context.Request);
            if (path.StartsWith(ControlPrefix, StringComparison.Ordinal))
            {
                await (authorized ? HandleControlAsync(context, path) : WriteStatusAsync(context, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized")).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _active);
            try
            {
                if (!authorized)
                {
                    await WriteStatusAsync(context, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized").ConfigureAwait(false);
                }
                else
                {
                    await RouteAsync(context, path).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested)
            {
                // The client gave up (or the emulator stops): nothing left to answer.
            }
            finally
            {
                // Recorded before it stops counting as active, so a test that sees no active request sees its record.
                _requests.Enqueue(new RecordedRequest(
                    context.Request.Method,
                    path + context.Request.QueryString.Value,
                    authorized,
                    context.Response.StatusCode,
                    context.RequestAborted.IsCancellationRequested,
                    context.Request.Headers.UserAgent.ToString()));
                Interlocked.Decrement(ref _active);
            }
        }

        private bool IsAuthorized(HttpRequest request)
        {
            string header = request.Headers.Authorization.ToString();
            const string Bearer = "Bearer ";
            return header.StartsWith(Bearer, StringComparison.Ordinal)
                && CryptographicEquals(header.Substring(Bearer.Length).Trim(), _token);
        }

        private static bool CryptographicEquals(string a, string b) =>
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

        private async Task RouteAsync(HttpContext context, string path)
        {
            string[] segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                await WriteStatusAsync(context, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"the server does not allow this method on the requested resource").ConfigureAwait(false);
                return;
            }

            switch (segments)
            {
                case ["version"]:
                    if (await ApplyFaultAsync(context, "version", "get", null).ConfigureAwait(false))
                    {
                        await WriteJsonAsync(context, new JsonObject
                        {
                            ["major"] = "1",
                            ["minor"] = "31",
                            ["gitVersion"] = ServerVersion,
                            ["platform"] = "linux/amd64",
                        }).ConfigureAwait(false);
                    }

                    break;
                case ["api", "v1", "nodes"]:
                    if (await ApplyFaultAsync(context, "nodes", "list", null).ConfigureAwait(false))
                    {
                        await WriteListAsync(context, "NodeList", _objects.Nodes).ConfigureAwait(false);
                    }

                    break;
                case ["api", "v1", "nodes", string name]:
                    if (await ApplyFaultAsync(context, "nodes", "get", null).ConfigureAwait(false))
                    {
                        JsonObject? node = _objects.Nodes.FirstOrDefault(n => ClusterObjects.NameOf(n) == name);
                        await (node is null
                            ? WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound", $"nodes \"{name}\" not found")
                            : WriteJsonAsync(context, node)).ConfigureAwait(false);
                    }

                    break;
                case ["api", "v1", "namespaces", string ns, "pods"]:
                    if (await ApplyFaultAsync(context, "pods", "list", ns).ConfigureAwait(false))
                    {
                        await WriteListAsync(context, "PodList", _objects.Pods.Where(p => ClusterObjects.NamespaceOf(p) == ns).ToArray()).ConfigureAwait(false);
                    }

                    break;
                default:
                    await WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource").ConfigureAwait(false);
                    break;
            }
        }

        /// <summary>Applies the fault set for a resource; true when the request should then be answered normally.</summary>
        private async Task<bool> ApplyFaultAsync(HttpContext context, string resource, string verb, string? ns)
        {
            ResourceFault fault = _faults.TryGetValue(resource, out ResourceFault set) ? set : ResourceFault.None;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            switch (fault)
            {
                case ResourceFault.Forbidden:
                    string scope = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
                    await WriteStatusAsync(context, HttpStatusCode.Forbidden, "Forbidden",
                        $"{resource} is forbidden: User \"{UserName}\" cannot {verb} resource \"{resource}\" in API group \"\" {scope}").ConfigureAwait(false);
                    return false;
                case ResourceFault.Hang:
                    await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
                    return false;
                case ResourceFault.Slow:
                    await Task.Delay(SlowDelay, linked.Token).ConfigureAwait(false);
                    return true;
                case ResourceFault.ServerError:
                    await WriteStatusAsync(context, HttpStatusCode.InternalServerError, "InternalError", "Internal error occurred: the emulator was asked to fail").ConfigureAwait(false);
                    return false;
                default:
                    return true;
            }
        }

        private async Task WriteListAsync(HttpContext context, string kind, IReadOnlyList<JsonObject> all)
        {
            IQueryCollection query = context.Request.Query;
            if (!LabelSelector.TryParse(query["labelSelector"], out LabelSelector selector, out string? error))
            {
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest", error!).ConfigureAwait(false);
                return;
            }

            List<JsonObject> matching = all.Where(o => selector.Matches(ClusterObjects.LabelsOf(o))).ToList();
            int offset = 0;
            string? token = query["continue"];
            if (!string.IsNullOrEmpty(token) && !ContinueToken.TryRead(token, out offset))
            {
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest", "continue key is not valid: the emulator did not issue it").ConfigureAwait(false);
                return;
            }

            int limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out int asked) && asked > 0 ? asked : int.MaxValue;
            if (MaxPageSize > 0)
            {
                limit = Math.Min(limit, MaxPageSize);
            }

            List<JsonObject> page = matching.Skip(offset).Take(limit).ToList();
            int next = offset + page.Count;
            var metadata = new JsonObject { ["resourceVersion"] = "1" };
            if (next < matching.Count)
            {
                metadata["continue"] = ContinueToken.Write(next);
                metadata["remainingItemCount"] = matching.Count - next;
            }

            var list = new JsonObject
            {
                ["kind"] = kind,
                ["apiVersion"] = "v1",
                ["metadata"] = metadata,
                ["items"] = new JsonArray(page.Select(o => (JsonNode)o.DeepClone()).ToArray()),
            };
            await WriteJsonAsync(context, list).ConfigureAwait(false);
        }

        private async Task HandleControlAsync(HttpContext context, string path)
        {
            string rest = path.Substring(ControlPrefix.Length).Trim('/');
            if (rest == "requests" && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(Requests, ControlJson.Options)).ConfigureAwait(false);
            }
            else if (rest == "active" && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(ActiveRequests.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
            else if (rest == "requests" && HttpMethods.IsDelete(context.Request.Method))
            {
                ClearRequests();
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else if (rest == "faults" && HttpMethods.IsDelete(context.Request.Method))
            {
                ClearFaults();
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else if (rest.StartsWith("faults/", StringComparison.Ordinal) && HttpMethods.IsPut(context.Request.Method)
                && Enum.TryParse(context.Request.Query["fault"], ignoreCase: true, out ResourceFault fault))
            {
                SetFault(rest.Substring("faults/".Length), fault);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                await WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound",
                    "emulator control: GET|DELETE /emulator/requests, GET /emulator/active, DELETE /emulator/faults, PUT /emulator/faults/{resource}?fault=None|Forbidden|Hang|Slow|ServerError").ConfigureAwait(false);
            }
        }

        private static Task WriteJsonAsync(HttpContext context, JsonNode body)
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body.ToJsonString());
        }

        private static Task WriteStatusAsync(HttpContext context, HttpStatusCode code, string reason, string message)
        {
            context.Response.StatusCode = (int)code;
            return WriteJsonAsync(context, new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = message,
                ["reason"] = reason,
                ["code"] = (int)code,
            });
        }
    }
}
