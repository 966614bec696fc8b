using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace K3sNet.PodNetwork
{
    /// <summary>How a TCP connection attempt ended.</summary>
    internal enum ConnectStatus
    {
        /// <summary>The handshake completed (whatever the server then said, or if it said nothing).</summary>
        Connected,

        /// <summary>The destination answered with a reset: nothing listens there, or a firewall rejects.</summary>
        Refused,

        /// <summary>No answer within the timeout.</summary>
        TimedOut,

        /// <summary>No route, or an ICMP unreachable came back.</summary>
        Unreachable,
    }

    /// <summary>A connection attempt's end and, for a connection, what the server answered.</summary>
    internal sealed record ConnectOutcome(ConnectStatus Status, string? Detail);

    /// <summary>
    /// Reads the connect probe: busybox wget's own messages ("can't connect to remote host (A): Connection refused",
    /// "server returned error: HTTP/1.1 404 Not Found", "error getting response: ...") and the line the probe adds,
    /// "established: N", the sockets /proc/net/tcp held to the destination after wget ended (made connections linger
    /// in FIN_WAIT; a SYN never answered leaves none).
    /// </summary>
    internal static partial class BusyboxWget
    {
        public static ConnectOutcome Parse(string output, int exitCode)
        {
            int established = 0;
            string? cannotConnect = null;
            string? answer = null;
            foreach (string raw in output.Split('\n'))
            {
                string line = raw.Trim();
                Match count = Established().Match(line);
                if (count.Success)
                {
                    established = int.Parse(count.Groups["n"].Value, CultureInfo.InvariantCulture);
                }
                else if (line.Contains("can't connect to remote host", StringComparison.Ordinal))
                {
                    int colon = line.LastIndexOf(": ", StringComparison.Ordinal);
                    cannotConnect = colon >= 0 ? line[(colon + 2)..] : line;
                }
                else if (line.StartsWith("wget: server returned error:", StringComparison.Ordinal))
                {
                    answer = line["wget: server returned error:".Length..].Trim();
                }
                else if (line.StartsWith("wget: error getting response", StringComparison.Ordinal))
                {
                    answer = "no HTTP answer (" + line["wget: ".Length..] + ")";
                }
            }

            if (cannotConnect is not null)
            {
                return cannotConnect.Contains("refused", StringComparison.OrdinalIgnoreCase)
                    ? new ConnectOutcome(ConnectStatus.Refused, cannotConnect)
                    : cannotConnect.Contains("timed out", StringComparison.OrdinalIgnoreCase)
                        ? new ConnectOutcome(ConnectStatus.TimedOut, cannotConnect)
                        : new ConnectOutcome(ConnectStatus.Unreachable, cannotConnect);
            }

            if (exitCode == 0 || answer is not null)
            {
                return new ConnectOutcome(ConnectStatus.Connected, answer);
            }

            return established > 0
                ? new ConnectOutcome(ConnectStatus.Connected, "connected; the server sent no HTTP answer")
                : new ConnectOutcome(ConnectStatus.TimedOut, null);
        }

        [GeneratedRegex(@"^established:\s*(?<n>\d+)$", RegexOptions.CultureInvariant)]
        private static partial Regex Established();
    }
}
