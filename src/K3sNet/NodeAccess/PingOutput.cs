using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace K3sNet.NodeAccess
{
    /// <summary>Which ping a node has: the options it takes differ, and only iputils can set DF.</summary>
    internal enum PingFlavour
    {
        /// <summary>No ping on the node's PATH.</summary>
        Missing,

        /// <summary>iputils (`ping -V` says "ping from iputils"): `-n`, `-M do|dont`.</summary>
        Iputils,

        /// <summary>busybox's or another minimal ping: `-c -s -W`, no `-M`, so no DF.</summary>
        Busybox,
    }

    /// <summary>Reads what a node's ping printed.</summary>
    internal static partial class PingOutput
    {
        /// <summary>The flavour from `ping -V`: iputils prints its version and exits 0; busybox rejects -V with its usage.</summary>
        public static PingFlavour Flavour(bool notInstalled, string? output, string? failure) =>
            notInstalled ? PingFlavour.Missing
            : (output ?? string.Empty).Contains("iputils", StringComparison.Ordinal) ? PingFlavour.Iputils
            : PingFlavour.Busybox;

        /// <summary>The round trip in `64 bytes from 10.42.1.0: seq=0 ttl=64 time=0.123 ms` (both flavours), or null.</summary>
        public static TimeSpan? RoundTrip(string output)
        {
            Match match = TimePattern().Match(output);
            return match.Success && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms)
                ? TimeSpan.FromMilliseconds(ms)
                : null;
        }

        /// <summary>`-W` in whole seconds (busybox takes no fractions), rounded up so the node never gives up first; at least 1.</summary>
        public static int WaitSeconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));

        [GeneratedRegex(@"time[=<]([0-9]+(?:\.[0-9]+)?) ?ms")]
        private static partial Regex TimePattern();
    }
}
