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
using Microsoft.AspNetCore.Server.Kestrel.Https;
using K3sNet.Emulators.KubeApi.Kubelet;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// A Kubernetes API server on loopback (or a lab address) serving the reads K3sNet makes: nodes with label
    /// selectors and limit/continue paging, kube-system CoreDNS pods, /version. It serves HTTPS as k3s does: a serving
    /// certificate from its own server CA naming k3s's default names, the listen address and <see cref="TlsSans"/>; it
    /// asks for a client certificate and authenticates one its client CA signed (k3s.yaml's admin), or a bearer token;
    /// anything else gets 401, as from k3s (anonymous auth off). Errors as Status objects, and faults on demand per
    /// resource (403, hang, slow, 500). Start it on port 0 and read <see cref="Url"/>; dispose it to stop.
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
        private ClusterCertificates? _certificates;
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

        /// <summary>Extra names for the serving certificate, as k3s's --tls-san (DNS names or IP addresses).</summary>
        public IReadOnlyList<string> TlsSans { get; init; } = Array.Empty<string>();

        /// <summary>
        /// Addresses the emulator also answers on, each on a port of its own, that its certificate does not name unless
        /// <see cref="TlsSans"/> does: what an EC2 node's public IP is to k3s, which only names the addresses it knows.
        /// </summary>
        public IReadOnlyList<IPAddress> AlsoListenOn { get; init; } = Array.Empty<IPAddress>();

        /// <summary>
        /// The kubelet side: pods/exec and pods/log over the pods it runs. Null: those are 404, as before pods could
        /// run. The emulator owns its runtime and disposes it (every pod stops) when it is disposed.
        /// </summary>
        public KubeletEndpoints? Kubelet { get; init; }

        /// <summary>The base URL, such as https://127.0.0.1:41234, once started.</summary>
        public Uri Url { get; private set; } = new("https://unstarted.invalid");

        /// <summary>The URL at each of <see cref="AlsoListenOn"/>, in order, once started.</summary>
        public IReadOnlyList<Uri> AlsoUrls { get; private set; } = Array.Empty<Uri>();

        /// <summary>The cluster's CAs and certificates, once started.</summary>
        public ClusterCertificates Certificates => _certificates ?? throw new InvalidOperationException("The emulator is not started.");

        /// <summary>Every API request received so far, in order (control requests excluded).</summary>
        public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

        /// <summary>API requests received and not yet finished: a hung request shows here until the client gives up.</summary>
        public int ActiveRequests => Volatile.Read(ref _active);

        public void SetFault(string resource, ResourceFault fault) => _faults[resource] = fault;

        public void ClearFaults()
        {
            _faults.Clear();
            Kubelet?.ClearNodeFaults();
        }

        public void ClearRequests() => _requests.Clear();

        public async Task StartAsync(IPAddress address, int port = 0)
        {
            ArgumentNullException.ThrowIfNull(address);
            // Like k3s: its default names, the address it serves on (k3s adds its node IPs), and --tls-san.
            IEnumerable<string> names = ClusterCertificates.K3sDefaultNames
                .Concat(address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Array.Empty<string>() : new[] { address.ToString() })
                .Concat(TlsSans);
            _certificates = ClusterCertificates.Create(names);
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(address, port, listen => listen.UseHttps(ConfigureTls));
                foreach (IPAddress also in AlsoListenOn)
                {
                    kestrel.Listen(also, 0, listen => listen.UseHttps(ConfigureTls));
                }
            });
            WebApplication app = builder.Build();
            app.UseWebSockets();
            app.Run(HandleAsync);
            await app.StartAsync().ConfigureAwait(false);
            Uri[] bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
                .Select(a => new Uri(a)).ToArray();
            Url = UrlAt(bound, address, port);
            AlsoUrls = AlsoListenOn.Select(a => UrlAt(bound, a, 0)).ToArray();
            _app = app;
        }

        /// <summary>
        /// Writes a kubeconfig (mode 600: it holds a key or the token) whose one context points at this emulator, laid
        /// out as k3s writes /etc/rancher/k3s/k3s.yaml: certificate-authority-data, and by default the admin's
        /// client-certificate-data and client-key-data (an EC key); <see cref="KubeconfigCredential.Token"/> puts the
        /// bearer token there instead, as a service account's kubeconfig has it.
        /// </summary>
        public void WriteKubeconfig(string path, string contextName = "k3snet-emulator", KubeconfigCredential credential = KubeconfigCredential.ClientCertificate)
        {
            string user = credential == KubeconfigCredential.Token
                ? $"    token: {_token}"
                : $"""
                    client-certificate-data: {ClusterCertificates.KubeconfigData(Certificates.AdminCertificateChainPem())}
                    client-key-data: {ClusterCertificates.KubeconfigData(Certificates.AdminKeyPem)}
                """;
            string text = $"""
                apiVersion: v1
                clusters:
                - cluster:
                    certificate-authority-data: {ClusterCertificates.KubeconfigData(Certificates.ServerCa.ExportCertificatePem() + "\n")}
                    server: {Url.GetLeftPart(UriPartial.Authority)}
                  name: {contextName}
                contexts:
                - context:
                    cluster: {contextName}
                    user: {contextName}
                  name: {contextName}
                current-context: {contextName}
                kind: Config
                preferences: {"{}"}
                users:
                - name: {contextName}
                  user:
                {user}

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

            if (Kubelet is not null)
            {
                await Kubelet.Runtime.DisposeAsync().ConfigureAwait(false);
            }

            _stopping.Dispose();
            _certificates?.Dispose();
        }

        private static Uri UrlAt(IEnumerable<Uri> bound, IPAddress address, int port) =>
            bound.First(u => IPAddress.TryParse(u.Host.Trim('[', ']'), out IPAddress? host) && (host.Equals(address)
                || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) && (port == 0 || u.Port == port));

        /// <summary>
        /// TLS as k3s's API server has it: the client certificate is asked for, not required, and any certificate is let
        /// through the handshake; the request is then authenticated (a certificate the client CA did not sign is a 401).
        /// </summary>
        private void ConfigureTls(HttpsConnectionAdapterOptions options)
        {
            options.ServerCertificate = Certificates.ServingCertificate;
            options.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            options.ClientCertificateValidation = (_, _, _) => true;
            options.CheckCertificateRevocation = false;
        }

        private async Task HandleAsync(HttpContext context)
        {
            string path = context.Request.Path.Value ?? "/";
            string? credential = Authenticate(context);
            bool authorized = credential is not null;
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
                    context.Request.Headers.UserAgent.ToString(),
                    credential));
                Interlocked.Decrement(ref _active);
            }
        }

        /// <summary>
        /// Who the request is, as the API server's authenticators see it: "token" for the bearer token, the certificate's
        /// subject for a client certificate the client CA signed, null for anyone else. A wrong token is a 401 even
        /// with a good certificate, as in Kubernetes, where a presented token that fails rejects the request.
        /// </summary>
        private string? Authenticate(HttpContext context)
        {
            string header = context.Request.Headers.Authorization.ToString();
            const string Bearer = "Bearer ";
            if (header.Length > 0)
            {
                return header.StartsWith(Bearer, StringComparison.Ordinal) && CryptographicEquals(header.Substring(Bearer.Length).Trim(), _token)
                    ? "token"
                    : null;
            }

            X509Certificate2? client = context.Connection.ClientCertificate;
            return Certificates.IsTrustedClient(client) ? client!.Subject : null;
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
                // RBAC of create pods/exec and get pods/log: the fault seam for now (the pods API brings real rules).
                case ["api", "v1", "namespaces", string ns, "pods", string name, "exec"] when Kubelet is not null:
                    if (await ApplyFaultAsync(context, "pods/exec", "create", ns).ConfigureAwait(false))
                    {
                        await Kubelet.ExecAsync(context, ns, name, _stopping.Token).ConfigureAwait(false);
                    }

                    break;
                case ["api", "v1", "namespaces", string ns, "pods", string name, "log"] when Kubelet is not null:
                    if (await ApplyFaultAsync(context, "pods/log", "get", ns).ConfigureAwait(false))
                    {
                        await Kubelet.LogAsync(context, ns, name, _stopping.Token).ConfigureAwait(false);
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
                case ResourceFault.EmptyServerError:
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
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
            else if (rest.StartsWith("kubelets/", StringComparison.Ordinal) && HttpMethods.IsPut(context.Request.Method) && Kubelet is not null
                && Enum.TryParse(context.Request.Query["fault"], ignoreCase: true, out KubeletFault nodeFault))
            {
                Kubelet.SetNodeFault(rest.Substring("kubelets/".Length), nodeFault);
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
                    "emulator control: GET|DELETE /emulator/requests, GET /emulator/active, DELETE /emulator/faults, PUT /emulator/faults/{resource}?fault=None|Forbidden|Hang|Slow|ServerError|EmptyServerError, PUT /emulator/kubelets/{node}?fault=None|ExecRefused|ExecHang").ConfigureAwait(false);
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
