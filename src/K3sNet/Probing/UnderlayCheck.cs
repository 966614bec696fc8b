using System;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Probing
{
    /// <summary>
    /// Whether a node answers on its underlay address at all: an ICMP echo and a TCP connect to the kubelet port, at
    /// once. Either answering (a refused connection included: the host's kernel said no) means the node is reachable,
    /// which is what tells "VXLAN is blocked" from "the node is gone".
    /// </summary>
    internal static class UnderlayCheck
    {
        public const int KubeletPort = 10250;

        public static async Task<bool> AnswersAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Task<bool> echo = EchoAsync(address, timeout, cancellationToken);
            Task<bool> connect = ConnectAsync(address, timeout, cancellationToken);
            Task<bool> first = await Task.WhenAny(echo, connect).ConfigureAwait(false);
            return await first.ConfigureAwait(false) || await (first == echo ? connect : echo).ConfigureAwait(false);
        }

        private static async Task<bool> EchoAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var ping = new Ping();
            try
            {
                PingReply reply = await ping.SendPingAsync(address, timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
                return reply.Status == IPStatus.Success;
            }
            catch (PingException)
            {
                return false; // no ICMP socket for this user; the TCP connect still decides
            }
        }

        private static async Task<bool> ConnectAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, KubeletPort), attempt.Token).ConfigureAwait(false);
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
