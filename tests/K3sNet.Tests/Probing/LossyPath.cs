using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Tests.Probing
{
    /// <summary>
    /// A UDP relay on loopback between one client and a responder that drops datagrams larger than a limit, both ways,
    /// without a word: the MTU black hole a too-small link makes, in user space. It can also lose just the first
    /// datagram above a size, as a busy link does now and then.
    /// </summary>
    internal sealed class LossyPath : IAsyncDisposable
    {
        private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _forward;
        private readonly Task _backward;
        private EndPoint? _client;

        public LossyPath(IPEndPoint responder, int largestDatagram, int loseFirstAbove = int.MaxValue)
        {
            bool lost = false;
            _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _back.Connect(responder);
            _forward = Task.Run(async () =>
            {
                var buffer = new byte[65535];
                while (!_stop.IsCancellationRequested)
                {
                    SocketReceiveFromResult got = await _front.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    _client = got.RemoteEndPoint;
                    if (got.ReceivedBytes > loseFirstAbove && !lost)
                    {
                        lost = true;
                        continue;
                    }

                    if (got.ReceivedBytes <= largestDatagram)
                    {
                        await _back.SendAsync(buffer.AsMemory(0, got.ReceivedBytes), SocketFlags.None, _stop.Token);
                    }
                }
            });
            _backward = Task.Run(async () =>
            {
                var buffer = new byte[65535];
                while (!_stop.IsCancellationRequested)
                {
                    int length = await _back.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (length <= largestDatagram && _client is not null)
                    {
                        await _front.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, _client, _stop.Token);
                    }
                }
            });
        }

        public IPEndPoint EndPoint => (IPEndPoint)_front.LocalEndPoint!;

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try
            {
                await Task.WhenAll(_forward, _backward);
            }
            catch (OperationCanceledException)
            {
            }

            _front.Dispose();
            _back.Dispose();
            _stop.Dispose();
        }
    }
}
