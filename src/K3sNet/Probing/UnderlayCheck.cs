using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;

namespace K3sNet.Probing
{
    /// <summary>
    /// Whether a node answers on its underlay address at all: an ICMP echo (when this user may send one) and a TCP
    /// connect to the kubelet port, at once. Either answering, a refused connection included (the host's kernel said
    /// no), means the node is reachable: that is what tells "VXLAN is blocked" from "the node is gone".
    /// </summary>
    internal static class UnderlayCheck
    {
        public const int KubeletPort = 10250;
        private const int EchoSize = 84;

        public static async Task<bool> AnswersAsync(IcmpEchoSender? icmp, IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task<EchoOutcome> tcp = IcmpEchoSender.TcpConnectAsync(address, KubeletPort, timeout, race.Token);
            Task<EchoOutcome> echo = icmp is null
                ? Task.FromResult(EchoOutcome.Silence("no ICMP socket"))
                : icmp.EchoAsync(address, EchoSize, dontFragment: false, timeout, race.Token);
            Task<EchoOutcome> first = await Task.WhenAny(echo, tcp).ConfigureAwait(false);
            if (first.IsCompletedSuccessfully && first.Result.Answered)
            {
                race.Cancel();
                return true;
            }

            return (await (first == echo ? tcp : echo).ConfigureAwait(false)).Answered;
        }
    }
}
