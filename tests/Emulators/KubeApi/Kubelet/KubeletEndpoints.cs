using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// pods/exec and pods/log as the API server serves them: it finds the pod (<see cref="IPodDirectory"/>) and the
    /// container, then hands over to the node's kubelet (<see cref="IContainerRuntime"/>), which may not answer
    /// (<see cref="KubeletFault"/>). Authorization (create pods/exec, get pods/log) is the caller's, before this.
    /// </summary>
    public sealed class KubeletEndpoints
    {
        private readonly IPodDirectory _pods;
        private readonly IContainerRuntime _runtime;
        private readonly Func<string, string?> _hostIpOf;
        private readonly ConcurrentDictionary<string, KubeletFault> _faults = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _negotiated = new();

        /// <param name="hostIpOf">A node's InternalIP by node name (what "dial tcp &lt;hostIP&gt;:10250" names).</param>
        public KubeletEndpoints(IPodDirectory pods, IContainerRuntime runtime, Func<string, string?> hostIpOf)
        {
            _pods = pods ?? throw new ArgumentNullException(nameof(pods));
            _runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));
            _hostIpOf = hostIpOf ?? throw new ArgumentNullException(nameof(hostIpOf));
        }

        /// <summary>False to answer as an API server older than 1.30, which has no v5.channel.k8s.io (v4 and older only).</summary>
        public bool ServerSpeaksV5 { get; init; } = true;

        public IContainerRuntime Runtime => _runtime;

        /// <summary>The subprotocol of every exec upgraded so far, in order ("" for none): tests assert what was negotiated.</summary>
        public IReadOnlyList<string> NegotiatedProtocols => _negotiated.ToArray();

        public void SetNodeFault(string nodeName, KubeletFault fault) => _faults[nodeName] = fault;

        public void ClearNodeFaults() => _faults.Clear();

        /// <summary>GET /api/v1/namespaces/{ns}/pods/{name}/exec, upgraded to a WebSocket.</summary>
        public async Task ExecAsync(HttpContext context, string ns, string name, CancellationToken stopping)
        {
            IQueryCollection query = context.Request.Query;
            Target? target = await FindTargetAsync(context, ns, name, query["container"]).ConfigureAwait(false);
            if (target is null)
            {
                return;
            }

            string[] command = query["command"].Where(c => c is not null).Select(c => c!).ToArray();
            if (command.Length == 0)
            {
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest", "you must specify at least one command for the container").ConfigureAwait(false);
                return;
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                // kubectl's SPDY path: not emulated. The API server would answer 400 to a plain GET as well.
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest", "Upgrade request required").ConfigureAwait(false);
                return;
            }

            ExecProtocol? protocol = ExecProtocol.Negotiate(context.WebSockets.WebSocketRequestedProtocols.ToArray(), ServerSpeaksV5);
            if (protocol is null)
            {
                // The kubelet's websocket handshake refuses an offer it has no protocol for with a bare 403.
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            KubeletFault fault = _faults.TryGetValue(target.Pod.NodeName, out KubeletFault set) ? set : KubeletFault.None;
            Failure? failure = KubeletFailure(target, fault);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);

            // Before 1.30 (and for every non-v5 offer) the API server proxies the upgrade to the kubelet, so the kubelet's
            // refusal is the HTTP answer; from 1.30 it upgrades a v5 client first and reports the kubelet's failure as a
            // Status on the error channel.
            if (!protocol.SupportsClose)
            {
                if (fault == KubeletFault.ExecHang)
                {
                    await HangAsync(linked.Token).ConfigureAwait(false);
                    return;
                }

                if (failure is not null)
                {
                    await WriteStatusAsync(context, failure.Code, failure.Reason, failure.Message).ConfigureAwait(false);
                    return;
                }
            }

            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(protocol.Name.Length == 0 ? null : protocol.Name).ConfigureAwait(false);
            _negotiated.Enqueue(protocol.Name);
            var channels = new ExecChannels(socket, protocol);
            Task receiving = channels.ReceiveAsync(linked.Token);
            try
            {
                if (fault == KubeletFault.ExecHang)
                {
                    await HangAsync(linked.Token).ConfigureAwait(false);
                    return;
                }

                if (failure is not null)
                {
                    await FinishAsync(channels, protocol, InternalError(failure.Message), linked.Token).ConfigureAwait(false);
                }
                else
                {
                    await RunAsync(channels, protocol, target, command, query, linked.Token).ConfigureAwait(false);
                }

                await CloseAsync(socket, receiving).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
            {
                // The client went away: nothing is left to tell it.
            }
        }

        /// <summary>GET /api/v1/namespaces/{ns}/pods/{name}/log: the container's output as text/plain.</summary>
        public async Task LogAsync(HttpContext context, string ns, string name, CancellationToken stopping)
        {
            IQueryCollection query = context.Request.Query;
            Target? target = await FindTargetAsync(context, ns, name, query["container"]).ConfigureAwait(false);
            if (target is null)
            {
                return;
            }

            ContainerState? state = _runtime.GetState(target.Pod.Uid, target.Container);
            if (state is null)
            {
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest",
                    $"container \"{target.Container}\" in pod \"{name}\" is waiting to start: ContainerCreating").ConfigureAwait(false);
                return;
            }

            int? tail = int.TryParse(query["tailLines"], NumberStyles.None, CultureInfo.InvariantCulture, out int lines) ? lines : null;
            bool follow = IsTrue(query["follow"]);
            context.Response.ContentType = "text/plain";
            string text = _runtime.ReadLog(target.Pod.Uid, target.Container);
            await context.Response.WriteAsync(tail is int n ? LastLines(text, n) : text).ConfigureAwait(false);
            if (!follow)
            {
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            try
            {
                await context.Response.Body.FlushAsync(linked.Token).ConfigureAwait(false);
                string seen = text;
                while (true)
                {
                    bool running = _runtime.GetState(target.Pod.Uid, target.Container)?.Running == true;
                    string now = _runtime.ReadLog(target.Pod.Uid, target.Container);
                    string added = Appended(seen, now);
                    if (added.Length > 0)
                    {
                        await context.Response.WriteAsync(added, linked.Token).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(linked.Token).ConfigureAwait(false);
                    }

                    seen = now;
                    if (!running)
                    {
                        return;
                    }

                    await Task.Delay(100, linked.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task RunAsync(ExecChannels channels, ExecProtocol protocol, Target target, string[] command, IQueryCollection query, CancellationToken cancellationToken)
        {
            bool stdin = IsTrue(query["stdin"]);
            bool stdout = IsTrue(query["stdout"]);
            bool stderr = IsTrue(query["stderr"]);
            bool tty = IsTrue(query["tty"]);

            // The kubelet's first frame: an empty one on the lowest channel it writes, so the client knows it is connected.
            await channels.SendAsync(stdout ? ExecChannels.Stdout : stderr ? ExecChannels.Stderr : ExecChannels.Error, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            JsonObject status;
            try
            {
                int exitCode = await _runtime.ExecAsync(
                    target.Pod.Uid,
                    target.Container,
                    command,
                    stdin ? channels.StdinStream : null,
                    stdout ? channels.WriterFor(ExecChannels.Stdout) : Stream.Null,
                    stderr ? channels.WriterFor(ExecChannels.Stderr) : Stream.Null,
                    tty,
                    cancellationToken).ConfigureAwait(false);
                status = exitCode == 0 ? Success() : NonZeroExit(command, exitCode);
            }
            catch (ContainerRuntimeException exception)
            {
                status = InternalError(exception.Message);
            }

            await FinishAsync(channels, protocol, status, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The error channel's last word: the Status as JSON (v4, v5), or for older protocols a failure's text only.</summary>
        private static async Task FinishAsync(ExecChannels channels, ExecProtocol protocol, JsonObject status, CancellationToken cancellationToken)
        {
            string? text = protocol.StatusOnErrorChannel
                ? status.ToJsonString()
                : (string?)status["status"] == "Success" ? null : (string?)status["message"];
            if (text is not null)
            {
                await channels.SendAsync(ExecChannels.Error, Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Closes as the API server does, right after the status. The socket is then drained briefly, so that stdin the
        /// client is still sending does not turn the close into a reset that would lose the output it has not read.
        /// </summary>
        private static async Task CloseAsync(WebSocket socket, Task receiving)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, grace.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
            {
            }

            await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        }

        private async Task<Target?> FindTargetAsync(HttpContext context, string ns, string name, StringValues container)
        {
            PodLaunch? pod = _pods.Find(ns, name, out string phase);
            if (pod is null)
            {
                await WriteStatusAsync(context, HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found",
                    new JsonObject { ["name"] = name, ["kind"] = "pods" }).ConfigureAwait(false);
                return null;
            }

            string? asked = container.ToString();
            string[] names = pod.Containers.Select(c => c.Name).ToArray();
            if (string.IsNullOrEmpty(asked))
            {
                if (names.Length != 1)
                {
                    await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest",
                        $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', names)}]").ConfigureAwait(false);
                    return null;
                }

                asked = names[0];
            }
            else if (!names.Contains(asked, StringComparer.Ordinal))
            {
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest", $"container {asked} is not valid for pod {name}").ConfigureAwait(false);
                return null;
            }

            if (string.IsNullOrEmpty(pod.NodeName))
            {
                await WriteStatusAsync(context, HttpStatusCode.BadRequest, "BadRequest", $"pod {name} does not have a host assigned").ConfigureAwait(false);
                return null;
            }

            return new Target(pod, phase, asked);
        }

        /// <summary>What the kubelet stage fails with before the command runs (its node refuses, the container is not running).</summary>
        private Failure? KubeletFailure(Target target, KubeletFault fault)
        {
            if (fault == KubeletFault.ExecRefused)
            {
                string hostIp = _hostIpOf(target.Pod.NodeName) ?? target.Pod.NodeName;
                return new Failure(HttpStatusCode.InternalServerError, null, $"error dialing backend: dial tcp {hostIp}:10250: connect: connection refused");
            }

            if (_runtime.GetState(target.Pod.Uid, target.Container)?.Running != true)
            {
                return new Failure(HttpStatusCode.BadRequest, "BadRequest", $"unable to upgrade connection: container not found (\"{target.Container}\")");
            }

            return null;
        }

        private static async Task HangAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        private static JsonObject Success() => new() { ["metadata"] = new JsonObject(), ["status"] = "Success" };

        /// <summary>The Status the kubelet's remotecommand writes for a command that exited non-zero (containerd's wording).</summary>
        private static JsonObject NonZeroExit(IReadOnlyList<string> command, int exitCode) => new()
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(CultureInfo.InvariantCulture) }),
            },
        };

        private static JsonObject InternalError(string message) => new()
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"Internal error occurred: {message}",
            ["reason"] = "InternalError",
            ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) },
            ["code"] = 500,
        };

        private static bool IsTrue(StringValues value) => value.ToString() is "1" or "true" or "True";

        private static string LastLines(string text, int count)
        {
            if (count <= 0)
            {
                return string.Empty;
            }

            int end = text.EndsWith('\n') ? text.Length - 1 : text.Length;
            int start = end;
            for (int found = 0; start > 0; start--)
            {
                if (text[start - 1] == '\n' && ++found == count)
                {
                    break;
                }
            }

            return text.Substring(start);
        }

        /// <summary>What a log gained since <paramref name="before"/>; the log is bounded, so its start may have moved on.</summary>
        private static string Appended(string before, string now)
        {
            if (now.StartsWith(before, StringComparison.Ordinal))
            {
                return now.Substring(before.Length);
            }

            string tail = before.Length > 256 ? before.Substring(before.Length - 256) : before;
            int at = now.LastIndexOf(tail, StringComparison.Ordinal);
            return at >= 0 ? now.Substring(at + tail.Length) : now;
        }

        private static Task WriteStatusAsync(HttpContext context, HttpStatusCode code, string? reason, string message, JsonObject? details = null) =>
            ApiResponses.WriteStatusAsync(context, code, reason, message, details);

        private sealed record Target(PodLaunch Pod, string Phase, string Container);

        private sealed record Failure(HttpStatusCode Code, string? Reason, string Message);
    }
}
