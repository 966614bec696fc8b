using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// <see cref="IPodRunner"/> with KubernetesClient: every call goes through <see cref="ClusterRequests"/>, so a failure
    /// is a <see cref="ClusterRequestException"/> naming the verb and resource as RBAC checks them (a Pod Security
    /// refusal is a Forbidden that keeps the admission's message: "violates PodSecurity "baseline:latest": ...").
    /// </summary>
    internal sealed class KubernetesPodRunner : IPodRunner
    {
        private readonly ClusterClient _client;
        private readonly KubeconfigClusterSource _nodes;

        /// <summary>The exec in progress on this flow: the library's WebSocket builder hook takes no arguments.</summary>
        private readonly AsyncLocal<ExecCall?> _exec = new();

        public KubernetesPodRunner(ClusterConnection connection)
        {
            _client = new ClusterClient(connection);
            _nodes = new KubeconfigClusterSource(_client);
            _client.Api.CreateWebSocketBuilder = () => new ExecWebSocketBuilder(_exec.Value ?? new ExecCall(_client.Timeout, CancellationToken.None, _client.CountRequest, _client.Certificates));
        }

        public Uri Server => _client.Server;

        public string Context => _client.Context;

        public int RequestCount => _client.RequestCount;

        public Task<IReadOnlyList<NodeFacts>> ListNodesAsync(CancellationToken cancellationToken) => _nodes.ListNodesAsync(null, cancellationToken);

        public Task CreateNamespaceAsync(ProbeNamespaceSpec spec, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(spec);
            var body = new V1Namespace
            {
                ApiVersion = "v1",
                Kind = "Namespace",
                Metadata = new V1ObjectMeta
                {
                    Name = spec.Name,
                    Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
                    Annotations = spec.Annotations.Count == 0 ? null : new Dictionary<string, string>(spec.Annotations, StringComparer.Ordinal),
                },
            };
            return SendAsync("create", "namespaces", null, () => _client.Api.CoreV1.CreateNamespaceAsync(body, cancellationToken: cancellationToken), cancellationToken);
        }

        public async Task<IReadOnlyList<ProbeNamespaceInfo>> ListNamespacesAsync(string labelSelector, CancellationToken cancellationToken)
        {
            var found = new List<ProbeNamespaceInfo>();
            string? next = null;
            do
            {
                string? page = next;
                V1NamespaceList list = await SendAsync("list", "namespaces", null,
                    () => _client.Api.CoreV1.ListNamespaceAsync(continueParameter: page, labelSelector: labelSelector, limit: _client.PageSize, cancellationToken: cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                found.AddRange((list.Items ?? new List<V1Namespace>()).Select(n => new ProbeNamespaceInfo(
                    n.Metadata?.Name ?? string.Empty,
                    Copy(n.Metadata?.Labels),
                    Copy(n.Metadata?.Annotations),
                    n.Metadata?.CreationTimestamp is DateTime created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
                    n.Metadata?.DeletionTimestamp is not null || n.Status?.Phase == "Terminating")));
                next = list.Metadata?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(next));

            return found;
        }

        public async Task DeleteNamespaceAsync(string name, CancellationToken cancellationToken)
        {
            try
            {
                await SendAsync("delete", "namespaces", null, () => _client.Api.CoreV1.DeleteNamespaceAsync(name, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterRequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                // Gone already (a second cleanup, or the namespace controller was quicker): what was asked for holds.
            }
        }

        public Task CreatePodAsync(ProbePodSpec spec, CancellationToken cancellationToken)
        {
            V1Pod pod = ProbePodMapping.ToPod(spec);
            return SendAsync("create", "pods", spec.Namespace, () => _client.Api.CoreV1.CreateNamespacedPodAsync(pod, spec.Namespace, cancellationToken: cancellationToken), cancellationToken);
        }

        public async Task<IReadOnlyList<ProbePodStatus>> ListPodsAsync(string @namespace, string? labelSelector, CancellationToken cancellationToken)
        {
            var pods = new List<ProbePodStatus>();
            string? next = null;
            do
            {
                string? page = next;
                V1PodList list = await SendAsync("list", "pods", @namespace,
                    () => _client.Api.CoreV1.ListNamespacedPodAsync(@namespace, continueParameter: page, labelSelector: labelSelector, limit: _client.PageSize, cancellationToken: cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                pods.AddRange((list.Items ?? new List<V1Pod>()).Select(p => ProbePodMapping.ToStatus(p)));
                next = list.Metadata?.ContinueProperty;
            }
            while (!string.IsNullOrEmpty(next));

            return pods;
        }

        public Task<IReadOnlyList<ProbePodStatus>> ListPodsByLabelAsync(string @namespace, string labelSelector, CancellationToken cancellationToken) =>
            ListPodsAsync(@namespace, labelSelector, cancellationToken);

        /// <summary>
        /// One watch without a resourceVersion: the API server starts it with an ADDED event for every pod that exists,
        /// so the state and the changes come in one request. When the server ends the watch (its timeout, a restart),
        /// it is resumed from the last resourceVersion seen; when that is too old (410 Gone), from the current state. A
        /// stream cut before its end is resumed too, after a pause, but three cuts with no event between them are a
        /// connection that does not hold: Unreachable.
        /// </summary>
        public async IAsyncEnumerable<ProbePodStatus> WatchPodsAsync(string @namespace, string? labelSelector, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            const int MostCutsInARow = 3;
            var request = new ClusterRequest(Server, "watch", "pods", @namespace);
            string? resourceVersion = null;
            int cuts = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string? from = resourceVersion;
                IAsyncEnumerator<(WatchEventType, V1Pod)> events = _client.Api.CoreV1
                    .WatchListNamespacedPodAsync(@namespace, labelSelector: labelSelector, resourceVersion: from, cancellationToken: cancellationToken)
                    .GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (true)
                    {
                        WatchStep step;
                        try
                        {
                            step = await ClusterRequests.SendAsync(request, _client.Timeout, () => NextEventAsync(events), cancellationToken, _client.Certificates).ConfigureAwait(false);
                        }
                        catch (KubernetesException exception) when (exception.Status?.Code == (int)HttpStatusCode.Gone)
                        {
                            resourceVersion = null;
                            break;
                        }

                        if (step.Cut is Exception cut)
                        {
                            if (++cuts >= MostCutsInARow)
                            {
                                throw new ClusterRequestException(ClusterRequestFailure.Unreachable, request,
                                    $"The watch of pods in namespace {@namespace} at the API server {Server} was cut {cuts} times in a row: {cut.Message}");
                            }

                            await Task.Delay(TimeSpan.FromSeconds(cuts), cancellationToken).ConfigureAwait(false);
                            break;
                        }

                        if (step.Change is not (WatchEventType type, V1Pod pod))
                        {
                            // The server ended the watch: resume where it was.
                            break;
                        }

                        cuts = 0;
                        if (type == WatchEventType.Error)
                        {
                            resourceVersion = null;
                            break;
                        }

                        resourceVersion = pod.Metadata?.ResourceVersion ?? resourceVersion;
                        if (type == WatchEventType.Bookmark)
                        {
                            continue;
                        }

                        yield return ProbePodMapping.ToStatus(pod, deleted: type == WatchEventType.Deleted);
                    }
                }
                finally
                {
                    await events.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// The watch's next event; no event when the server ended the watch; the exception when the stream was cut. A
        /// watch the server ends before any event (its timeout on a quiet namespace) has an empty body, which
        /// KubernetesClient reports as an EndOfStreamException while it looks for the first line: an end, not a cut.
        /// </summary>
        private static async Task<WatchStep> NextEventAsync(IAsyncEnumerator<(WatchEventType, V1Pod)> events)
        {
            try
            {
                return new WatchStep(await events.MoveNextAsync().ConfigureAwait(false) ? events.Current : null, null);
            }
            catch (HttpRequestException exception) when (exception.InnerException is System.IO.EndOfStreamException)
            {
                return new WatchStep(null, null);
            }
            catch (HttpRequestException exception) when (exception.InnerException is System.IO.IOException)
            {
                return new WatchStep(null, exception);
            }
            catch (System.IO.IOException exception)
            {
                return new WatchStep(null, exception);
            }
        }

        public async Task<IExecSession> ExecAsync(string @namespace, string pod, string container, IReadOnlyList<string> command, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(command);
            var request = new ClusterRequest(Server, "create", "pods/exec", @namespace);
            _exec.Value = new ExecCall(_client.Timeout, cancellationToken, _client.CountRequest, _client.Certificates);
            try
            {
                WebSocket socket = await ClusterRequests.SendAsync(request, _client.Timeout, async () =>
                {
                    try
                    {
                        return await _client.Api.WebSocketNamespacedPodExecAsync(
                            pod, @namespace, command, container, stderr: true, stdin: true, stdout: true, tty: false,
                            webSocketSubProtocol: ExecWebSocketBuilder.V4, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (ExecUpgradeRefusedException refused)
                    {
                        throw ClusterRequests.FromStatus(request, refused.Status, refused.Body);
                    }
                    catch (WebSocketException exception) when (exception.InnerException is HttpRequestException connection)
                    {
                        // No connection (refused, TLS): as every other request reports it, the certificate's cause included.
                        throw connection;
                    }
                }, cancellationToken, _client.Certificates).ConfigureAwait(false);
                return new KubernetesExecSession(socket, request, pod);
            }
            catch (WebSocketException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClusterRequestException(ClusterRequestFailure.Unreachable, request,
                    $"Cannot open the exec into pod {pod} at the API server {Server}: {exception.Message}");
            }
            finally
            {
                _exec.Value = null;
            }
        }

        public async Task<ClusterServiceInfo?> ReadServiceAsync(string @namespace, string name, CancellationToken cancellationToken)
        {
            V1Service service;
            try
            {
                service = await SendAsync("get", "services", @namespace, () => _client.Api.CoreV1.ReadNamespacedServiceAsync(name, @namespace, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterRequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            return new ClusterServiceInfo(
                service.Metadata?.Name ?? name,
                service.Metadata?.NamespaceProperty ?? @namespace,
                service.Spec?.ClusterIP,
                (service.Spec?.Ports ?? new List<V1ServicePort>()).Select(p => ((string?)p.Name, p.Protocol ?? "TCP", p.Port)).ToArray());
        }

        public void Dispose() => _client.Dispose();

        private Task<T> SendAsync<T>(string verb, string resource, string? @namespace, Func<Task<T>> call, CancellationToken cancellationToken) =>
            ClusterRequests.SendAsync(new ClusterRequest(Server, verb, resource, @namespace), _client.Timeout, call, cancellationToken, _client.Certificates);

        private static IReadOnlyDictionary<string, string> Copy(IDictionary<string, string>? source) =>
            source is null ? new Dictionary<string, string>() : new Dictionary<string, string>(source, StringComparer.Ordinal);

        /// <summary>One read of a watch: an event, the server's end of it (neither), or a cut stream.</summary>
        private readonly record struct WatchStep((WatchEventType Type, V1Pod Pod)? Change, Exception? Cut);
    }
}
