using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.NodeAccess;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Whether a node answers on its underlay address at all, for both modes of Test-K3sVxlan: an ICMP echo (when this
    /// user may send one) and a TCP connect to the kubelet port, at once. Either answering, a refused connection
    /// included (the host's kernel said no), means the node is reachable: that is what tells "VXLAN is blocked" from
    /// "the node is gone".
    /// </summary>
    internal static class UnderlayCheck
    {
        public const int KubeletPort = 10250;

        /// <summary>
        /// Answered as soon as either check answers (the other is cancelled); otherwise Silent, with both failures as
        /// the detail. A null <paramref name="icmp"/> (no ICMP socket for this user) leaves TCP alone, from this host.
        /// </summary>
        public static async Task<(PathState State, string? Detail)> CheckAsync(IEchoSender? icmp, IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<EchoOutcome> echo = icmp is null
                ? Task.FromResult(EchoOutcome.Silence("no ICMP socket"))
                : icmp.EchoAsync(address, IcmpEchoSender.OrdinaryPacketSize, dontFragment: false, timeout, race.Token);
            Task<EchoOutcome> tcp = icmp is null
                ? IcmpEchoSender.TcpConnectAsync(address, KubeletPort, timeout, race.Token)
                : ConnectUnlessEchoedAsync(echo, token => icmp.TcpConnectAsync(address, KubeletPort, timeout, token), timeout / 2, race.Token);
            Task<EchoOutcome> first = await Task.WhenAny(echo, tcp).ConfigureAwait(false);
            if (first.IsCompletedSuccessfully && first.Result.Answered)
            {
                race.Cancel();
                return (PathState.Answered, null);
            }

            EchoOutcome echoOutcome = await echo.ConfigureAwait(false);
            EchoOutcome tcpOutcome = await tcp.ConfigureAwait(false);
            if (echoOutcome.Answered || tcpOutcome.Answered)
            {
                return (PathState.Answered, null);
            }

            // A check that could not be made (a node too busy to run it) leaves the underlay unknown: silence needs both.
            return echoOutcome.CannotSend || tcpOutcome.CannotSend
                ? (PathState.NotTested, $"ICMP echo: {echoOutcome.Failure}; {tcpOutcome.Failure}")
                : (PathState.Silent, $"ICMP echo: {echoOutcome.Failure}; {tcpOutcome.Failure}");
        }

        /// <summary>
        /// The TCP connect, unless the echo answers within its head start (half the timeout): a node that answers the
        /// echo needs no connect, which through a probe pod costs processes on the node for every peer; a security group
        /// that drops ICMP still gets its TCP answer well within the timeout.
        /// </summary>
        private static async Task<EchoOutcome> ConnectUnlessEchoedAsync(Task<EchoOutcome> echo, Func<CancellationToken, Task<EchoOutcome>> connect, TimeSpan headStart, CancellationToken cancellationToken)
        {
            Task delay = Task.Delay(headStart, cancellationToken);
            if (await Task.WhenAny(echo, delay).ConfigureAwait(false) == echo && echo.IsCompletedSuccessfully && echo.Result.Answered)
            {
                return EchoOutcome.Silence("not tried: the ICMP echo answered");
            }

            return await connect(cancellationToken).ConfigureAwait(false);
        }
    }
}
