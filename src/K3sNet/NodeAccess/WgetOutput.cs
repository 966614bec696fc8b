using System;
using System.Linq;

namespace K3sNet.NodeAccess
{
    /// <summary>What a TCP connect through busybox wget told.</summary>
    internal enum WgetAnswer
    {
        /// <summary>The peer's kernel answered: accepted (any HTTP answer or complaint about one) or refused.</summary>
        Answered,

        /// <summary>Nothing came back within the time (the node's timeout ended wget) or the network said unreachable.</summary>
        Silent,

        /// <summary>wget failed in a way that says nothing about the peer (it crashed, or is not the wget expected).</summary>
        Unknown,
    }

    /// <summary>
    /// Reads busybox wget's failure as a TCP connect's answer. The node has no nc, so a TCP connect is an HTTP request:
    /// a refusal ("Connection refused"), any HTTP answer ("server returned error: HTTP/1.0 400 Bad Request", what the
    /// kubelet's TLS port says to plain HTTP) or a broken reply means the peer's kernel answered, as a refusal counts in
    /// IcmpEchoSender.TcpConnectAsync. A timeout (busybox timeout's exit 143, GNU's 124) or an unreachable network is
    /// silence. Anything else, a crash above all (some busybox builds segfault on wget -T), is unknown: never an answer.
    /// </summary>
    internal static class WgetOutput
    {
        private static readonly string[] Silences =
        {
            "timed out",
            "No route to host",
            "Network is unreachable",
            "Host is unreachable",
            "exit code 143",
            "exit code 124",
        };

        private static readonly string[] Answers =
        {
            "Connection refused",
            "server returned error",
            "error getting response",
            "Connection reset by peer",
            "short read",
            "HTTP/",
        };

        /// <summary>What wget's failure (its first stderr line, or the exit code when it wrote none) tells about the peer.</summary>
        public static WgetAnswer Classify(string failure)
        {
            if (Silences.Any(s => failure.Contains(s, StringComparison.OrdinalIgnoreCase)))
            {
                return WgetAnswer.Silent;
            }

            return Answers.Any(a => failure.Contains(a, StringComparison.OrdinalIgnoreCase)) ? WgetAnswer.Answered : WgetAnswer.Unknown;
        }
    }
}
