using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// ICMP echoes and TCP connects from one node: this host's own socket, or a cluster node's ping through its probe pod.
    /// </summary>
    internal interface IEchoSender
    {
        /// <summary>How the echoes go out, for the verbose notes ("datagram ICMP socket", "ping on k3s-agent-2").</summary>
        string Kind { get; }

        /// <summary>One echo of <paramref name="packetSize"/> bytes (IP header included), with DF when asked; answered or why not.</summary>
        Task<EchoOutcome> EchoAsync(IPAddress destination, int packetSize, bool dontFragment, TimeSpan timeout, CancellationToken cancellationToken);

        /// <summary>A TCP connect: answered when the peer's kernel answered at all (accepted or refused), as IcmpEchoSender.TcpConnectAsync.</summary>
        Task<EchoOutcome> TcpConnectAsync(IPAddress destination, int port, TimeSpan timeout, CancellationToken cancellationToken);
    }
}
