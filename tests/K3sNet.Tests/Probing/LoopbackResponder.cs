using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Probing;

namespace K3sNet.Tests.Probing
{
    /// <summary>A real <see cref="VxlanResponder"/> on 127.0.0.1 and a port the kernel picks, stopped on dispose.</summary>
    internal sealed class LoopbackResponder : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public LoopbackResponder(VxlanResponderOptions? options = null)
        {
            Responder = new VxlanResponder((options ?? new VxlanResponderOptions()) with { BindAddress = IPAddress.Loopback, Port = 0 });
            Responder.Start();
            Running = Responder.RunAsync(_stop.Token);
        }

        public VxlanResponder Responder { get; }

        public Task<K3sNet.VxlanResponderSummary> Running { get; }

        public IPEndPoint EndPoint => Responder.LocalEndPoint;

        /// <summary>
        /// Waits until the responder has finished with <paramref name="count"/> datagrams: answered or dropped. A reply
        /// can reach the client before the responder counts it, so a test reads the counters after this.
        /// </summary>
        public async Task WaitForHandledAsync(long count)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Handled(Responder.Snapshot()) < count)
            {
                await Task.Delay(1, patience.Token);
            }

            static long Handled(K3sNet.VxlanResponderSummary s) => s.Answered + s.Dropped + s.SendFailed;
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await Running;
            Responder.Dispose();
            _stop.Dispose();
        }

        /// <summary>A client socket on loopback that sends to the responder.</summary>
        public Socket Client()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }
    }
}
