using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Packets;

namespace K3sNet.Probing
{
    /// <summary>
    /// Probes one peer's responder: a UDP socket connected to it (so the kernel reports ICMP port unreachable, and only
    /// the peer's datagrams arrive) with DF set (so a datagram larger than the path is dropped, not fragmented), and a
    /// receive loop that matches replies to probes by nonce. Probes may be in flight concurrently.
    /// </summary>
    internal sealed class VxlanProbeSession : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly int _vni;
        private readonly ProbeTransport _transport;
        private readonly ProbeEndpoints _endpoints;
        private readonly ConcurrentDictionary<ulong, Pending> _pending = new();
        private readonly CancellationTokenSource _closing = new();
        private readonly Task _receiving;
        private readonly ulong _noncePrefix;
        private int _sequence;

        private VxlanProbeSession(Socket socket, int vni, ProbeTransport transport, ProbeEndpoints endpoints)
        {
            _socket = socket;
            _vni = vni;
            _transport = transport;
            _endpoints = endpoints;
            _noncePrefix = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue) << 32;
            _receiving = Task.Run(ReceiveLoopAsync);
        }

        /// <summary>The local address the kernel chose for the peer (the underlay address probes leave from).</summary>
        public IPAddress LocalAddress => ((IPEndPoint)_socket.LocalEndPoint!).Address;

        /// <summary>Opens a session to the responder at <paramref name="peer"/>.</summary>
        public static VxlanProbeSession Open(IPEndPoint peer, int vni, ProbeTransport transport)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.DontFragment = true;
                socket.Connect(peer);
                var local = (IPEndPoint)socket.LocalEndPoint!;
                var endpoints = ProbeEndpoints.For(Ipv4Header.ToNumber(local.Address), Ipv4Header.ToNumber(peer.Address), (ushort)local.Port, (ushort)peer.Port);
                return new VxlanProbeSession(socket, vni, transport, endpoints);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>
        /// The MTU of the local interface that holds <see cref="LocalAddress"/>, or null when none is found. Probes never
        /// exceed it less VXLAN's 50 bytes, as flannel.1's MTU never does.
        /// </summary>
        public int? LocalInterfaceMtu()
        {
            IPAddress local = LocalAddress;
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                IPInterfaceProperties properties = nic.GetIPProperties();
                foreach (UnicastIPAddressInformation address in properties.UnicastAddresses)
                {
                    if (address.Address.Equals(local))
                    {
                        return properties.GetIPv4Properties()?.Mtu;
                    }
                }
            }

            return null;
        }

        /// <summary>Sends one probe whose inner IPv4 packet is <paramref name="innerPacketSize"/> bytes and waits for its reply.</summary>
        public async Task<ProbeAnswer> ProbeAsync(int innerPacketSize, TimeSpan timeout, CancellationToken cancellationToken)
        {
            int sequence = Interlocked.Increment(ref _sequence);
            ulong nonce = _noncePrefix | (uint)sequence;
            int datagramLength = ProbeFrame.DatagramLength(innerPacketSize);
            var pending = new Pending(datagramLength);
            _pending[nonce] = pending;
            try
            {
                byte[] request = new byte[datagramLength];
                var probe = new ProbePayload(ProbeKind.Request, nonce, Stopwatch.GetTimestamp());
                ProbeFrame.WriteRequest(request, _vni, _transport, _endpoints, probe, innerPacketSize, (ushort)sequence);
                try
                {
                    await _socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
                {
                    return new ProbeAnswer(ProbeOutcome.TooLargeToSend, 0);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    return new ProbeAnswer(ProbeOutcome.PortUnreachable, 0);
                }

                try
                {
                    return await pending.Answer.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return ProbeAnswer.Silent;
                }
            }
            finally
            {
                _pending.TryRemove(nonce, out _);
            }
        }

        private async Task ReceiveLoopAsync()
        {
            byte[] buffer = new byte[65535];
            while (!_closing.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _closing.Token).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    // ICMP port unreachable for an earlier probe: every probe in flight has its answer.
                    foreach (Pending inFlight in _pending.Values)
                    {
                        inFlight.Answer.TrySetResult(new ProbeAnswer(ProbeOutcome.PortUnreachable, 0));
                    }

                    continue;
                }
                catch (SocketException)
                {
                    continue; // EMSGSIZE from a router's "fragmentation needed" and the like: that probe stays unanswered.
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }

                long now = Stopwatch.GetTimestamp();
                ReadOnlySpan<byte> reply = buffer.AsSpan(0, length);
                if (ProbeFrame.Check(reply, _vni, ProbeKind.Reply, out _, out ProbePayload probe) == ProbeCheck.Valid
                    && _pending.TryGetValue(probe.Nonce, out Pending? waiting)
                    && waiting.DatagramLength == length)
                {
                    waiting.Answer.TrySetResult(new ProbeAnswer(ProbeOutcome.Answered, Stopwatch.GetElapsedTime(probe.Timestamp, now).TotalMilliseconds));
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _closing.Cancel();
            _socket.Dispose();
            await _receiving.ConfigureAwait(false);
            _closing.Dispose();
        }

        private sealed class Pending
        {
            public Pending(int datagramLength) => DatagramLength = datagramLength;

            public int DatagramLength { get; }

            public TaskCompletionSource<ProbeAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
