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

        /// <summary>Waits until the responder has taken in <paramref name="count"/> datagrams (counts, not time, decide).</summary>
        public async Task WaitForReceivedAsync(long count)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Responder.Snapshot().Received < count)
            {
                await Task.Delay(1, patience.Token);
            }
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
