using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.NodeAccess;
using K3sNet.Packets;

namespace K3sNet.Icmp
{
    /// <summary>
    /// K3sNet's own ICMP echo over a kernel socket, one socket per echo so concurrent probes never steal each other's
    /// replies. Not System.Net.NetworkInformation.Ping: without root it starts a ping process per echo, which is slow
    /// at 49 peers and cannot set DF with an exact packet size.
    /// </summary>
    internal sealed class IcmpEchoSender : IEchoSender
    {
        public const int Ipv4HeaderLength = 20;

        /// <summary>An ordinary echo's size, as ping sends it: 56 bytes of data, 84 on the wire.</summary>
        public const int OrdinaryPacketSize = 84;

        /// <summary>The smallest packet an echo here sends: IPv4 and ICMP headers and the 8-byte token.</summary>
        public const int MinimumPacketSize = Ipv4HeaderLength + IcmpEcho.HeaderLength + TokenLength;

        private const int TokenLength = 8;
        private const int IpProtocolLevel = 0;    // IPPROTO_IP
        private const int IpMtuDiscover = 10;     // IP_MTU_DISCOVER
        private const int PathMtuDiscoveryDo = 2; // IP_PMTUDISC_DO: set DF, never fragment, EMSGSIZE above the route MTU
        private const int PathMtuDiscoveryDont = 0;

        public IcmpEchoSender(IcmpSocketKind kind) => Kind = kind;

        public IcmpSocketKind Kind { get; }

        string IEchoSender.Kind => Kind == IcmpSocketKind.Datagram ? "datagram ICMP socket" : "raw ICMP socket";

        /// <summary>This host's TCP connect (<see cref="TcpConnectAsync(IPAddress, int, TimeSpan, CancellationToken)"/>): the socket kind does not matter to it.</summary>
        Task<EchoOutcome> IEchoSender.TcpConnectAsync(IPAddress destination, int port, TimeSpan timeout, CancellationToken cancellationToken) =>
            TcpConnectAsync(destination, port, timeout, cancellationToken);

        /// <summary>
        /// The socket this user may open: the datagram socket where ping_group_range allows it, else a raw socket
        /// (root), else an <see cref="IcmpNotPermittedException"/> that says what is needed.
        /// </summary>
        public static IcmpEchoSender Open()
        {
            SocketException? datagramFailure;
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Icmp);
                return new IcmpEchoSender(IcmpSocketKind.Datagram);
            }
            catch (SocketException e)
            {
                datagramFailure = e;
            }

            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
                return new IcmpEchoSender(IcmpSocketKind.Raw);
            }
            catch (SocketException e)
            {
                string range = ReadPingGroupRange() ?? "unknown";
                throw new IcmpNotPermittedException(
                    $"Cannot send ICMP echoes: the ICMP datagram socket is refused ({datagramFailure.SocketErrorCode}; " +
                    $"net.ipv4.ping_group_range is '{range}') and a raw socket needs root or CAP_NET_RAW ({e.SocketErrorCode}).",
                    e);
            }
        }

        /// <summary>
        /// Sends one echo of <paramref name="packetSize"/> bytes (the whole IPv4 packet) and waits up to
        /// <paramref name="timeout"/> for its reply. With <paramref name="dontFragment"/> the packet carries DF and the
        /// kernel never fragments it, which is what a path MTU test needs.
        /// </summary>
        public async Task<EchoOutcome> EchoAsync(IPAddress destination, int packetSize, bool dontFragment, TimeSpan timeout, CancellationToken cancellationToken)
        {
            int payloadLength = Math.Max(packetSize, MinimumPacketSize) - Ipv4HeaderLength - IcmpEcho.HeaderLength;
            byte[] payload = new byte[payloadLength];
            RandomNumberGenerator.Fill(payload.AsSpan(0, TokenLength));
            byte[] request = new byte[IcmpEcho.HeaderLength + payloadLength];
            ushort identifier = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            ushort sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
            IcmpEcho.Write(request, IcmpEcho.EchoRequestType, identifier, sequence, payload);

            using var socket = Kind == IcmpSocketKind.Datagram
                ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Icmp)
                : new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
            socket.SetRawSocketOption(IpProtocolLevel, IpMtuDiscover, BitConverter.GetBytes(dontFragment ? PathMtuDiscoveryDo : PathMtuDiscoveryDont));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            byte[] buffer = new byte[Math.Max(request.Length + 128, 1600)];
            var clock = Stopwatch.StartNew();
            try
            {
                // Connecting filters: both socket kinds then deliver only what comes from the destination.
                socket.Connect(new IPEndPoint(destination, 0));
                await socket.SendAsync(request, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                while (true)
                {
                    int received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    if (IcmpReplyMatcher.IsReplyTo(buffer.AsSpan(0, received), Kind, destination, identifier, sequence, payload.AsSpan(0, TokenLength), out _))
                    {
                        return EchoOutcome.Reply(clock.Elapsed);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return EchoOutcome.Silence($"no echo reply within {timeout.TotalSeconds:0.###} s");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                return EchoOutcome.Silence($"a {packetSize}-byte packet with DF is larger than the local route allows");
            }
            catch (SocketException e)
            {
                return EchoOutcome.Silence($"the kernel reports {e.SocketErrorCode}");
            }
        }

        /// <summary>
        /// Opens a TCP connection and closes it. A connection or a refusal (RST) both mean the host answered; only
        /// silence or an unreachable error mean it did not.
        /// </summary>
        public static async Task<EchoOutcome> TcpConnectAsync(IPAddress destination, int port, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var clock = Stopwatch.StartNew();
            try
            {
                await socket.ConnectAsync(new IPEndPoint(destination, port), deadline.Token).ConfigureAwait(false);
                return EchoOutcome.Reply(clock.Elapsed);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return EchoOutcome.Reply(clock.Elapsed);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return EchoOutcome.Silence($"TCP {port} did not answer within {timeout.TotalSeconds:0.###} s");
            }
            catch (SocketException e)
            {
                return EchoOutcome.Silence($"TCP {port}: {e.SocketErrorCode}");
            }
        }

        private static string? ReadPingGroupRange()
        {
            try
            {
                return File.ReadAllText("/proc/sys/net/ipv4/ping_group_range").Trim().Replace('\t', ' ');
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
