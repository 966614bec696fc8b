using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace K3sNet.PodNetwork
{
    /// <summary>What busybox ping's output says: how many echoes came back, their median round trip, and its own error if it printed one.</summary>
    internal sealed record PingOutcome(int Replies, double? MedianRoundTripMs, string? Error)
    {
        public bool Answered => Replies > 0;
    }

    /// <summary>
    /// Reads busybox ping. Replies are counted from the "bytes from" lines, not the exit code or the summary: when
    /// busybox timeout ends ping early there is no summary, and with fewer echoes sent than -c the exit code is 1 even
    /// though replies came.
    /// </summary>
    internal static partial class BusyboxPing
    {
        public static PingOutcome Parse(string output)
        {
            var times = new List<double>();
            string? error = null;
            foreach (string raw in output.Split('\n'))
            {
                string line = raw.Trim();
                Match reply = Reply().Match(line);
                if (reply.Success)
                {
                    times.Add(double.Parse(reply.Groups["ms"].Value, NumberStyles.Float, CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("ping:", StringComparison.Ordinal))
                {
                    error ??= line["ping:".Length..].Trim();
                }
            }

            return new PingOutcome(times.Count, Median(times), error);
        }

        private static double? Median(List<double> values)
        {
            if (values.Count == 0)
            {
                return null;
            }

            double[] sorted = values.OrderBy(v => v).ToArray();
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }

        [GeneratedRegex(@"^\d+ bytes from \S+: seq=\d+ ttl=\d+ time=(?<ms>[0-9.]+) ms", RegexOptions.CultureInvariant)]
        private static partial Regex Reply();
    }
}
