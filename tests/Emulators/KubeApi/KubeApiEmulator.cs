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
    /// A Kubernetes API server on loopback (or a lab address): nodes with label selectors and limit/continue paging,
    /// /version, and a cluster behind it that the real KubernetesClient can drive: namespaces, pods (scheduled, run
    /// through <see cref="Runtime"/> and reported as a kubelet does, watchable), DaemonSets with their controller,
    /// services from the lab, RBAC denials (<see cref="Access"/>) and Pod Security admission. It serves HTTPS as k3s does: a serving
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
        private readonly Cluster _cluster;
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
            _cluster = new Cluster(objects);
        }

        /// <summary>
        /// The kubelet's container runtime that runs created pods; null: pods are scheduled and stay Pending
        /// (ContainerCreating), as on a node whose kubelet never starts them. The emulator stops every pod it started
        /// through it when disposed; the runtime itself belongs to the caller.
        /// </summary>
        public IContainerRuntime? Runtime
        {
            get => _cluster.Runtime;
            init => _cluster.Runtime = value;
        }

        /// <summary>The pods the API stores, as the exec and log endpoints look them up.</summary>
        public IPodDirectory Pods => _cluster;

        /// <summary>RBAC denials on demand (verb and resource, such as create pods/exec).</summary>
        public AccessRules Access => _cluster.Access;

        /// <summary>Faults chosen by image name (see <see cref="ImageFaults"/>), or set on demand for any image.</summary>
        public ImageFaults ImageFaults => _cluster.ImageFaults;

        /// <summary>
        /// The pulls the kubelets made, in order: an image the node's status.images did not list (or any, under
        /// imagePullPolicy Always). Nothing is fetched; the list tells a pod that needed a registry from one that did not.
        /// </summary>
        public IReadOnlyList<ImagePull> PulledImages => _cluster.ImagePulls.Pulled;

        /// <summary>How long ErrImagePull shows before ImagePullBackOff.</summary>
        public TimeSpan ImagePullBackOff
        {
            get => _cluster.ImagePullBackOff;
            init => _cluster.ImagePullBackOff = value;
        }

        /// <summary>How long an exited container of a restarting pod waits (CrashLoopBackOff) before the kubelet restarts it.</summary>
        public TimeSpan RestartBackOff
        {
            get => _cluster.RestartBackOff;
            init => _cluster.RestartBackOff = value;
        }

        /// <summary>How long the server keeps a watch open before it ends it, as an API server does (zero: no limit).</summary>
        public TimeSpan MaxWatchDuration
        {
            get => _cluster.MaxWatchDuration;
            init => _cluster.MaxWatchDuration = value;
        }

        /// <summary>How often the kubelet reads container states from the runtime.</summary>
        public TimeSpan StatusInterval
        {
            get => _cluster.StatusInterval;
            init => _cluster.StatusInterval = value;
        }

        /// <summary>The user name the 403 message names, as an API server names the caller.</summary>
        public string UserName { get; init; } = "system:serviceaccount:kube-system:k3snet-reader";

        /// <summary>The most items one list answer holds, whatever limit the client asks for (0: no cap).</summary>
        public int MaxPageSize
        {
            get => _cluster.MaxPageSize;
            init => _cluster.MaxPageSize = value;
        }

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
        /// run. The emulator owns its runtime and disposes it (every pod stops) when it is disposed. Set it before
        /// <see cref="StartAsync"/>: it needs <see cref="Pods"/>, so it is made after the emulator.
        /// </summary>
        public KubeletEndpoints? Kubelet { get; set; }

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

            // Every pod the kubelet started stops through the runtime before the server goes: nothing outlives the emulator.
            await _cluster.Kubelet.StopAllAsync().ConfigureAwait(false);
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
            string method = context.Request.Method;
            RequestAttributes? request = RequestAttributes.From(method, segments, context.Request.Query);
            if (request is not null && _cluster.Access.Check(request, UserName) is ApiError denied)
            {
                await ApiResponses.WriteErrorAsync(context, denied).ConfigureAwait(false);
                return;
            }

            if (!await ApplyFaultAsync(context, request?.Resource ?? segments.FirstOrDefault() ?? string.Empty, request?.Verb ?? "get", request?.Namespace).ConfigureAwait(false))
            {
                return;
            }

            bool get = HttpMethods.IsGet(method);
            bool post = HttpMethods.IsPost(method);
            bool delete = HttpMethods.IsDelete(method);
            Task? answer = segments switch
            {
                ["version"] when get => WriteJsonAsync(context, new JsonObject
                {
                    ["major"] = "1",
                    ["minor"] = "31",
                    ["gitVersion"] = ServerVersion,
                    ["platform"] = "linux/amd64",
                }),
                ["api", "v1", "nodes"] when get =>
                    ListResponse.WriteAsync(context, "NodeList", "v1", _objects.Nodes, FieldSelector.ObjectFields, _cluster.Store.RevisionText, MaxPageSize),
                ["api", "v1", "nodes", string name] when get => _objects.Nodes.FirstOrDefault(n => ClusterObjects.NameOf(n) == name) is JsonObject node
                    ? WriteJsonAsync(context, node)
                    : ApiResponses.WriteErrorAsync(context, ApiError.NotFound("nodes", name)),
                ["api", "v1", "namespaces"] when get => NamespaceApi.ListAsync(context, _cluster),
                ["api", "v1", "namespaces"] when post => NamespaceApi.CreateAsync(context, _cluster),
                ["api", "v1", "namespaces", string name] when get => NamespaceApi.GetAsync(context, _cluster, name),
                ["api", "v1", "namespaces", string name] when delete => NamespaceApi.DeleteAsync(context, _cluster, name),
                ["api", "v1", "pods"] when get => PodApi.ListAsync(context, _cluster, null),
                ["api", "v1", "namespaces", string ns, "pods"] when get => PodApi.ListAsync(context, _cluster, ns),
                ["api", "v1", "namespaces", string ns, "pods"] when post => PodApi.CreateAsync(context, _cluster, ns),
                ["api", "v1", "namespaces", string ns, "pods", string name] when get => PodApi.GetAsync(context, _cluster, ns, name),
                ["api", "v1", "namespaces", string ns, "pods", string name] when delete => PodApi.DeleteAsync(context, _cluster, ns, name),
                ["api", "v1", "services"] when get => ServiceApi.ListAsync(context, _cluster, null),
                ["api", "v1", "namespaces", string ns, "services"] when get => ServiceApi.ListAsync(context, _cluster, ns),
                ["api", "v1", "namespaces", string ns, "services", string name] when get => ServiceApi.GetAsync(context, _cluster, ns, name),
                ["apis", "apps", "v1", "daemonsets"] when get => DaemonSetApi.ListAsync(context, _cluster, null),
                ["apis", "apps", "v1", "namespaces", string ns, "daemonsets"] when get => DaemonSetApi.ListAsync(context, _cluster, ns),
                ["apis", "apps", "v1", "namespaces", string ns, "daemonsets"] when post => DaemonSetApi.CreateAsync(context, _cluster, ns),
                ["apis", "apps", "v1", "namespaces", string ns, "daemonsets", string name] when get => DaemonSetApi.GetAsync(context, _cluster, ns, name),
                ["apis", "apps", "v1", "namespaces", string ns, "daemonsets", string name] when delete => DaemonSetApi.DeleteAsync(context, _cluster, ns, name),
                // The kubelet's subresources, proxied by the API server (RBAC: create pods/exec, get pods/log, checked above).
                ["api", "v1", "namespaces", string ns, "pods", string name, "exec"] when (get || post) && Kubelet is not null => Kubelet.ExecAsync(context, ns, name, _stopping.Token),
                ["api", "v1", "namespaces", string ns, "pods", string name, "log"] when get && Kubelet is not null => Kubelet.LogAsync(context, ns, name, _stopping.Token),
                _ => null,
            };
            if (answer is not null)
            {
                await answer.ConfigureAwait(false);
            }
            else if (IsServedPath(segments))
            {
                await WriteStatusAsync(context, HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource").ConfigureAwait(false);
            }
            else
            {
                await WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource").ConfigureAwait(false);
            }
        }

        /// <summary>A path the emulator serves with some method (another method is a 405, as from the API server).</summary>
        private static bool IsServedPath(string[] segments) => segments switch
        {
            ["version"] or ["api", "v1", "nodes" or "namespaces" or "pods" or "services"] or ["api", "v1", "nodes" or "namespaces", _] => true,
            ["api", "v1", "namespaces", _, "pods" or "services"] or ["api", "v1", "namespaces", _, "pods" or "services", _] => true,
            ["apis", "apps", "v1", "daemonsets"] or ["apis", "apps", "v1", "namespaces", _, "daemonsets"] or ["apis", "apps", "v1", "namespaces", _, "daemonsets", _] => true,
            _ => false,
        };

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

        private async Task HandleControlAsync(HttpContext context, string path)
        {
            string rest = path.Substring(ControlPrefix.Length).Trim('/');
            if (rest == "requests" && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(Requests, ControlJson.Options)).ConfigureAwait(false);
            }
            else if (rest == "pulls" && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(PulledImages, ControlJson.Options)).ConfigureAwait(false);
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
            else if (rest == "forbid" && HttpMethods.IsPut(context.Request.Method)
                && context.Request.Query["verb"].ToString() is { Length: > 0 } verb && context.Request.Query["resource"].ToString() is { Length: > 0 } resource)
            {
                Access.Forbid(verb, resource);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else if (rest == "forbid" && HttpMethods.IsDelete(context.Request.Method))
            {
                if (context.Request.Query["verb"].ToString() is { Length: > 0 } allowVerb && context.Request.Query["resource"].ToString() is { Length: > 0 } allowResource)
                {
                    Access.Allow(allowVerb, allowResource);
                }
                else
                {
                    Access.Clear();
                }

                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else if (rest == "forbid" && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(Access.Denied, ControlJson.Options)).ConfigureAwait(false);
            }
            else if (rest == "image-faults" && HttpMethods.IsPut(context.Request.Method)
                && context.Request.Query["image"].ToString() is { Length: > 0 } image
                && Enum.TryParse(context.Request.Query["fault"], ignoreCase: true, out PodFault podFault))
            {
                ImageFaults.Set(image, podFault);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else if (rest == "image-faults" && HttpMethods.IsDelete(context.Request.Method))
            {
                ImageFaults.Clear();
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                await WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound",
                    "emulator control: GET|DELETE /emulator/requests, GET /emulator/active, GET /emulator/pulls, DELETE /emulator/faults, PUT /emulator/faults/{resource}?fault=None|Forbidden|Hang|Slow|ServerError|EmptyServerError, "
                    + "GET|DELETE /emulator/forbid, PUT|DELETE /emulator/forbid?verb=create&resource=pods, PUT /emulator/image-faults?image=x&fault=None|ImagePull|NeverReady|CreateContainerError, DELETE /emulator/image-faults, PUT /emulator/kubelets/{node}?fault=None|ExecRefused|ExecHang").ConfigureAwait(false);
            }
        }

        private static Task WriteJsonAsync(HttpContext context, JsonNode body) => ApiResponses.WriteJsonAsync(context, body);

        private static Task WriteStatusAsync(HttpContext context, HttpStatusCode code, string reason, string message) =>
            ApiResponses.WriteStatusAsync(context, code, reason, message);
    }
}
