using System;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// Reads busybox wget's failure as a TCP connect's answer. The node has no nc, so a TCP connect is an HTTP request:
    /// a refusal ("Connection refused"), any HTTP answer ("server returned error: HTTP/1.0 400 Bad Request", what the
    /// kubelet's TLS port says to plain HTTP) or any other complaint about the reply means the peer's kernel answered,
    /// as a refusal counts in IcmpEchoSender.TcpConnectAsync. Only a timeout or an unreachable network or host does not.
    /// </summary>
    internal static class WgetOutput
    {
        private static readonly string[] Silences =
        {
            "timed out",
            "No route to host",
            "Network is unreachable",
            "Host is unreachable",
        };

        /// <summary>Whether wget's failure (its first stderr line) still means the peer answered.</summary>
        public static bool PeerAnswered(string failure)
        {
            foreach (string silence in Silences)
            {
                if (failure.Contains(silence, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
