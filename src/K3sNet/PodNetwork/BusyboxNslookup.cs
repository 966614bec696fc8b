using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace K3sNet.PodNetwork
{
    /// <summary>How a lookup ended.</summary>
    internal enum LookupStatus
    {
        /// <summary>The server answered with addresses.</summary>
        Answered,

        /// <summary>The server answered that the name does not exist.</summary>
        NxDomain,

        /// <summary>The server answered with another error (SERVFAIL, REFUSED) or with no address.</summary>
        ServerError,

        /// <summary>No answer within the timeout.</summary>
        TimedOut,

        /// <summary>The query could not even be sent (no route to the server).</summary>
        Unreachable,
    }

    /// <summary>A lookup's end, the addresses answered, and the tool's own words where they explain it.</summary>
    internal sealed record LookupOutcome(LookupStatus Status, IReadOnlyList<string> Addresses, string? Detail);

    /// <summary>
    /// Reads busybox nslookup: an answer is a "Name:" line followed by "Address" lines; "** server can't find NAME:
    /// NXDOMAIN" (or another rcode); ";; connection timed out; no servers could be reached"; "can't connect to remote
    /// host (...): Network is unreachable". The exit code alone cannot tell them apart: all but an answer exit 1, and
    /// an answer for A next to a failed AAAA query exits 1 too.
    /// </summary>
    internal static partial class BusyboxNslookup
    {
        public static LookupOutcome Parse(string output, bool killed)
        {
            var addresses = new List<string>();
            bool inAnswer = false;
            string? rcode = null;
            bool timedOut = false;
            string? unreachable = null;
            foreach (string raw in output.Split('\n'))
            {
                string line = raw.Trim();
                if (line.StartsWith("Name:", StringComparison.Ordinal))
                {
                    inAnswer = true;
                    continue;
                }

                Match address = Address().Match(line);
                if (inAnswer && address.Success && IPAddress.TryParse(address.Groups["ip"].Value, out IPAddress? ip)
                    && ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                {
                    addresses.Add(ip.ToString());
                    continue;
                }

                Match cannotFind = CannotFind().Match(line);
                if (cannotFind.Success)
                {
                    rcode ??= cannotFind.Groups["rcode"].Value.Trim();
                }
                else if (line.Contains("connection timed out", StringComparison.Ordinal) || line.Contains("no servers could be reached", StringComparison.Ordinal))
                {
                    timedOut = true;
                }
                else if (line.StartsWith("nslookup:", StringComparison.Ordinal) && line.Contains("can't connect", StringComparison.Ordinal))
                {
                    unreachable = line["nslookup:".Length..].Trim();
                }
            }

            if (addresses.Count > 0)
            {
                return new LookupOutcome(LookupStatus.Answered, addresses, null);
            }

            if (unreachable is not null)
            {
                return new LookupOutcome(LookupStatus.Unreachable, addresses, unreachable);
            }

            if (timedOut || (killed && rcode is null))
            {
                return new LookupOutcome(LookupStatus.TimedOut, addresses, null);
            }

            return rcode switch
            {
                "NXDOMAIN" => new LookupOutcome(LookupStatus.NxDomain, addresses, rcode),
                null => new LookupOutcome(LookupStatus.ServerError, addresses, "no address in the answer"),
                _ => new LookupOutcome(LookupStatus.ServerError, addresses, rcode),
            };
        }

        [GeneratedRegex(@"^Address(\s+\d+)?:\s*(?<ip>[0-9A-Fa-f.:]+)", RegexOptions.CultureInvariant)]
        private static partial Regex Address();

        [GeneratedRegex(@"^\*\* server can't find [^:]*:\s*(?<rcode>.+)$", RegexOptions.CultureInvariant)]
        private static partial Regex CannotFind();
    }
}
