using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// A running exec over the library's StreamDemuxer: stdin, stdout and stderr as streams, and the exit code read from
    /// the error channel (3) once the server closes it. Read stdout and stderr: the demuxer buffers what is not read, and
    /// the status arrives after the output.
    /// </summary>
    internal sealed class KubernetesExecSession : IExecSession
    {
        private readonly StreamDemuxer _demuxer;
        private readonly ClusterRequest _request;
        private readonly string _pod;
        private int _stdinClosed;

        public KubernetesExecSession(WebSocket socket, ClusterRequest request, string pod)
        {
            ArgumentNullException.ThrowIfNull(socket);
            _request = request;
            _pod = pod;
            Protocol = socket.SubProtocol ?? string.Empty;
            _demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: true, supportsClose: Protocol == ExecWebSocketBuilder.V5);
            StandardInput = _demuxer.GetStream(null, ChannelIndex.StdIn);
            StandardOutput = _demuxer.GetStream(ChannelIndex.StdOut, null);
            StandardError = _demuxer.GetStream(ChannelIndex.StdErr, null);
            Stream error = _demuxer.GetStream(ChannelIndex.Error, null);
            _demuxer.Start();
            ExitCode = ReadExitCodeAsync(error);
        }

        public string Protocol { get; }

        public Stream StandardInput { get; }

        public Stream StandardOutput { get; }

        public Stream StandardError { get; }

        public Task<int> ExitCode { get; }

        public bool TryCloseStandardInput()
        {
            if (!_demuxer.SupportsClose)
            {
                return false;
            }

            if (Interlocked.Exchange(ref _stdinClosed, 1) == 0)
            {
                _demuxer.CloseChannel(ChannelIndex.StdIn, CancellationToken.None).GetAwaiter().GetResult();
            }

            return true;
        }

        public ValueTask DisposeAsync()
        {
            _demuxer.Dispose();
            return ValueTask.CompletedTask;
        }

        /// <summary>
        /// The exit code from the status on channel 3, as kubectl reads it: Success is 0; NonZeroExitCode carries the
        /// number in its ExitCode cause; any other status is a failure of the exec itself (the kubelet refused, the
        /// container is gone), reported with the API's message.
        /// </summary>
        private async Task<int> ReadExitCodeAsync(Stream error)
        {
            string text;
            using (var reader = new StreamReader(error))
            {
                text = await reader.ReadToEndAsync().ConfigureAwait(false);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                throw new ClusterRequestException(ClusterRequestFailure.ApiError, _request,
                    $"The exec in pod {_pod} ended without the command's exit status: the connection to the API server {_request.Server} was closed first.");
            }

            V1Status? status;
            try
            {
                status = KubernetesJson.Deserialize<V1Status>(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // Protocols before v4 send a failure's text alone; v4 and v5 send a Status.
                throw new ClusterRequestException(ClusterRequestFailure.ApiError, _request, $"The exec in pod {_pod} failed: {text.Trim()}");
            }

            if (status?.Status == "Success")
            {
                return 0;
            }

            if (status?.Reason == "NonZeroExitCode"
                && status.Details?.Causes?.FirstOrDefault(c => c.Reason == "ExitCode")?.Message is string number
                && int.TryParse(number, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int code))
            {
                return code;
            }

            throw new ClusterRequestException(ClusterRequestFailure.ApiError, _request,
                $"The exec in pod {_pod} failed: {status?.Message ?? text.Trim()}");
        }
    }
}
