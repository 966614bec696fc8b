using System;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The real KubernetesClient's exec and log against the emulator's kubelet (isolated runtime): the channel protocols
    /// as 21.x speaks them, exit codes through NamespacedPodExecAsync, v5's stdin close, and the errors a user meets.
    /// </summary>
    public sealed class PodExecTests : IAsyncLifetime
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
        private readonly KubeletCluster _cluster = new();

        public Task InitializeAsync() => _cluster.InitializeAsync();

        /// <summary>Stopping the emulator stops its kubelet's pods: no process it started is left on the machine.</summary>
        public async Task DisposeAsync()
        {
            await _cluster.DisposeAsync();
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(_cluster.Runtime.Marker)));
        }

        [IsolatedFact]
        public async Task Exec_splits_stdout_from_stderr_and_returns_exit_code_0()
        {
            await _cluster.RunPodAsync("split", "k3s-agent-1");
            using k8s.Kubernetes client = _cluster.Client();
            string stdout = string.Empty, stderr = string.Empty;

            int exit = await client.NamespacedPodExecAsync("split", "default", "main", new[] { "sh", "-c", "echo to-out; echo to-err >&2" }, false,
                async (_, output, error) => (stdout, stderr) = await ReadBothAsync(output, error), CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(0, exit);
            Assert.Equal("to-out\n", stdout);
            Assert.Equal("to-err\n", stderr);
            Assert.Equal(ExecProtocol.V4, _cluster.Kubelet.NegotiatedProtocols[^1]);
        }

        [IsolatedFact]
        public async Task Exec_returns_the_commands_non_zero_exit_code()
        {
            await _cluster.RunPodAsync("exit3", "k3s-agent-1");
            using k8s.Kubernetes client = _cluster.Client();

            int exit = await client.NamespacedPodExecAsync("exit3", "default", "main", new[] { "sh", "-c", "echo partial; exit 3" }, false,
                async (_, output, error) => await ReadBothAsync(output, error), CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(3, exit);
        }

        [IsolatedFact]
        public async Task The_server_picks_v5_when_offered_with_v4_and_v4_when_it_is_older_than_1_30()
        {
            await _cluster.RunPodAsync("negotiate", "k3s-agent-1");
            using k8s.Kubernetes client = _cluster.Client();
            // The client offers v4 first, then v5 (the library adds the one it is given after any its builder has).
            client.CreateWebSocketBuilder = () => OfferingFirst(ExecProtocol.V4);

            using (WebSocket socket = await client.WebSocketNamespacedPodExecAsync("negotiate", "default", new[] { "true" }, "main", tty: false,
                webSocketSubProtocol: ExecProtocol.V5).WaitAsync(Patience))
            {
                Assert.Equal(ExecProtocol.V5, socket.SubProtocol);
            }

            var older = new KubeletCluster { ServerSpeaksV5 = false };
            await older.InitializeAsync();
            try
            {
                await older.RunPodAsync("negotiate", "k3s-agent-1");
                using k8s.Kubernetes olderClient = older.Client();
                olderClient.CreateWebSocketBuilder = () => OfferingFirst(ExecProtocol.V4);
                using (WebSocket socket = await olderClient.WebSocketNamespacedPodExecAsync("negotiate", "default", new[] { "true" }, "main", tty: false,
                    webSocketSubProtocol: ExecProtocol.V5).WaitAsync(Patience))
                {
                    Assert.Equal(ExecProtocol.V4, socket.SubProtocol);
                }

                // v5 alone against an older server: the kubelet's handshake has no protocol for it.
                using k8s.Kubernetes v5Only = older.Client();
                var refused = await Assert.ThrowsAsync<WebSocketException>(() => v5Only.WebSocketNamespacedPodExecAsync("negotiate", "default", new[] { "true" }, "main", tty: false,
                    webSocketSubProtocol: ExecProtocol.V5).WaitAsync(Patience));
                Assert.Contains("403", refused.Message, StringComparison.Ordinal);
            }
            finally
            {
                await older.DisposeAsync();
            }
        }

        [IsolatedFact]
        public async Task Over_v5_closing_stdin_ends_cat_and_its_status_reads_success()
        {
            await _cluster.RunPodAsync("cat", "k3s-agent-2");
            using k8s.Kubernetes client = _cluster.Client();
            WebSocket socket = await client.WebSocketNamespacedPodExecAsync("cat", "default", new[] { "cat" }, "main", stdin: true, tty: false,
                webSocketSubProtocol: ExecProtocol.V5).WaitAsync(Patience);
            using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: true, supportsClose: true);
            Stream stdin = demuxer.GetStream(null, ChannelIndex.StdIn);
            using Stream stdout = demuxer.GetStream(ChannelIndex.StdOut, null);
            using Stream error = demuxer.GetStream(ChannelIndex.Error, null);
            demuxer.Start();

            await stdin.WriteAsync(Encoding.ASCII.GetBytes("through cat\n"));
            // Disposing the stdin stream sends v5's close of channel 0: cat sees EOF and ends.
            await ((MuxedStream)stdin).DisposeAsync();
            string echoed = await new StreamReader(stdout).ReadToEndAsync().WaitAsync(Patience);
            string status = await new StreamReader(error).ReadToEndAsync().WaitAsync(Patience);

            Assert.Equal("through cat\n", echoed);
            Assert.Equal(0, k8s.Kubernetes.GetExitCodeOrThrow(KubernetesJson.Deserialize<V1Status>(status)));
            Assert.Equal(ExecProtocol.V5, _cluster.Kubelet.NegotiatedProtocols[^1]);
        }

        [IsolatedFact]
        public async Task Over_v4_a_length_bounded_reader_needs_no_stdin_close()
        {
            await _cluster.RunPodAsync("head", "k3s-agent-2");
            using k8s.Kubernetes client = _cluster.Client();
            string stdout = string.Empty;

            int exit = await client.NamespacedPodExecAsync("head", "default", "main", new[] { "head", "-c", "5" }, false,
                async (input, output, error) =>
                {
                    await input.WriteAsync(Encoding.ASCII.GetBytes("hello, and more that head never reads"));
                    (stdout, _) = await ReadBothAsync(output, error);
                }, CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(0, exit);
            Assert.Equal("hello", stdout);
        }

        [IsolatedFact]
        public async Task Exec_into_a_container_that_is_not_running_fails_as_the_api_server_refuses_it()
        {
            (PodLaunch pod, _) = await _cluster.RunPodAsync("done", "k3s-agent-1", "sh", "-c", "exit 0");
            await WaitUntilAsync(() => _cluster.Runtime.GetState(pod.Uid, "main") is { Running: false });
            using k8s.Kubernetes client = _cluster.Client();

            var v4 = await Assert.ThrowsAsync<WebSocketException>(() => client.NamespacedPodExecAsync("done", "default", "main", new[] { "true" }, false,
                (_, _, _) => Task.CompletedTask, CancellationToken.None).WaitAsync(Patience));
            Assert.Contains("400", v4.Message, StringComparison.Ordinal);

            // From 1.30 a v5 client is upgraded first and reads the kubelet's refusal as a Status on the error channel.
            string status = await ExecV5StatusAsync(client, "done", "true");
            var refused = Assert.Throws<KubernetesException>(() => k8s.Kubernetes.GetExitCodeOrThrow(KubernetesJson.Deserialize<V1Status>(status)));
            Assert.Contains("container not found (\"main\")", refused.Message, StringComparison.Ordinal);

            var missing = await Assert.ThrowsAsync<WebSocketException>(() => client.NamespacedPodExecAsync("no-such-pod", "default", "main", new[] { "true" }, false,
                (_, _, _) => Task.CompletedTask, CancellationToken.None).WaitAsync(Patience));
            Assert.Contains("404", missing.Message, StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task Exec_on_a_node_whose_kubelet_refuses_fails_with_error_dialing_backend()
        {
            await _cluster.RunPodAsync("refused", "k3s-agent-2");
            _cluster.Kubelet.SetNodeFault("k3s-agent-2", KubeletFault.ExecRefused);
            using k8s.Kubernetes client = _cluster.Client();

            var v4 = await Assert.ThrowsAsync<WebSocketException>(() => client.NamespacedPodExecAsync("refused", "default", "main", new[] { "true" }, false,
                (_, _, _) => Task.CompletedTask, CancellationToken.None).WaitAsync(Patience));
            Assert.Contains("500", v4.Message, StringComparison.Ordinal);
            string status = await ExecV5StatusAsync(client, "refused", "true");
            var refused = Assert.Throws<KubernetesException>(() => k8s.Kubernetes.GetExitCodeOrThrow(KubernetesJson.Deserialize<V1Status>(status)));
            Assert.Contains("error dialing backend: dial tcp 10.0.1.22:10250: connect: connection refused", refused.Message, StringComparison.Ordinal);
        }

        [IsolatedFact]
        public async Task Exec_on_a_node_whose_kubelet_hangs_ends_when_the_caller_cancels()
        {
            await _cluster.RunPodAsync("hang", "k3s-agent-2");
            _cluster.Kubelet.SetNodeFault("k3s-agent-2", KubeletFault.ExecHang);
            using k8s.Kubernetes client = _cluster.Client();
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

            Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.NamespacedPodExecAsync("hang", "default", "main", new[] { "true" }, false,
                (_, _, _) => Task.CompletedTask, cancel.Token).WaitAsync(Patience));

            Assert.True(thrown is OperationCanceledException || thrown.InnerException is OperationCanceledException, thrown.ToString());
            // The emulator let go of the request once the client gave up.
            await WaitUntilAsync(() => _cluster.Emulator.ActiveRequests == 0);
            Assert.Contains(_cluster.Emulator.Requests, r => r.PathAndQuery.Contains("/pods/hang/exec", StringComparison.Ordinal) && r.AbortedByClient);
        }

        [IsolatedFact]
        public async Task Log_returns_what_the_container_wrote_and_its_last_lines()
        {
            (PodLaunch pod, _) = await _cluster.RunPodAsync("logger", "k3s-agent-1", "sh", "-c", "echo first; echo second; echo third; exec sleep infinity");
            (PodLaunch both, _) = await _cluster.RunPodAsync("both", "k3s-agent-1", "sh", "-c", "echo to-out; echo to-err >&2; exec sleep infinity");
            await WaitUntilAsync(() => _cluster.Runtime.ReadLog(pod.Uid, "main").Contains("third", StringComparison.Ordinal)
                && _cluster.Runtime.ReadLog(both.Uid, "main").Split('\n').Length == 3);
            using k8s.Kubernetes client = _cluster.Client();

            using Stream all = await client.CoreV1.ReadNamespacedPodLogAsync("logger", "default", container: "main");
            using Stream last = await client.CoreV1.ReadNamespacedPodLogAsync("logger", "default", tailLines: 2);
            using Stream merged = await client.CoreV1.ReadNamespacedPodLogAsync("both", "default");

            Assert.Equal("first\nsecond\nthird\n", await new StreamReader(all).ReadToEndAsync());
            Assert.Equal("second\nthird\n", await new StreamReader(last).ReadToEndAsync());
            // stdout and stderr both go to the log (their order between the two is the pipes').
            string text = await new StreamReader(merged).ReadToEndAsync();
            Assert.Equal(new[] { "to-err", "to-out" }, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray());
        }

        [IsolatedFact]
        public async Task Log_with_follow_streams_until_the_container_ends()
        {
            await _cluster.RunPodAsync("follow", "k3s-agent-1", "sh", "-c", "echo before; sleep 1; echo after; exit 4");
            using k8s.Kubernetes client = _cluster.Client();

            using Stream log = await client.CoreV1.ReadNamespacedPodLogAsync("follow", "default", follow: true);

            Assert.Equal("before\nafter\n", await new StreamReader(log).ReadToEndAsync().WaitAsync(Patience));
        }

        [IsolatedFact]
        public async Task Log_of_a_pod_that_has_not_started_is_a_400_saying_so()
        {
            _cluster.Pods.Add(KubeletCluster.Pod("waiting", "k3s-agent-1", hostNetwork: false), "Pending");
            using k8s.Kubernetes client = _cluster.Client();

            var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodLogAsync("waiting", "default"));

            Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.Response.StatusCode);
            Assert.Equal("container \"main\" in pod \"waiting\" is waiting to start: ContainerCreating", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message);
        }

        private static async Task<string> ExecV5StatusAsync(k8s.Kubernetes client, string pod, params string[] command)
        {
            WebSocket socket = await client.WebSocketNamespacedPodExecAsync(pod, "default", command, "main", stdin: false, tty: false,
                webSocketSubProtocol: ExecProtocol.V5).WaitAsync(Patience);
            using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: true, supportsClose: true);
            using Stream error = demuxer.GetStream(ChannelIndex.Error, null);
            demuxer.Start();
            return await new StreamReader(error).ReadToEndAsync().WaitAsync(Patience);
        }

        private static WebSocketBuilder OfferingFirst(string protocol)
        {
            var builder = new WebSocketBuilder();
            builder.Options.AddSubProtocol(protocol);
            return builder;
        }

        private static async Task<(string Stdout, string Stderr)> ReadBothAsync(Stream stdout, Stream stderr)
        {
            Task<string> output = new StreamReader(stdout).ReadToEndAsync();
            Task<string> error = new StreamReader(stderr).ReadToEndAsync();
            return (await output, await error);
        }

        private static async Task WaitUntilAsync(Func<bool> condition)
        {
            for (int i = 0; i < 600 && !condition(); i++)
            {
                await Task.Delay(50);
            }

            Assert.True(condition(), "the condition did not hold within 30 s");
        }
    }
}
