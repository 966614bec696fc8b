using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace K3sNet.PodNetwork
{
    /// <summary>
    /// The one command a probe pod runs for all its probes: k3s's own busybox (ping, nslookup, wget; it has no nc) from
    /// the node's tool directory, every probe a background job of one `busybox sh -c`, so a pod costs one exec and its
    /// probes together cost about one timeout. Each job prints one line, "K3SNET id exit-code output" with the output's
    /// newlines as \037, written by a single printf so parallel jobs cannot interleave within a line.
    /// <para>
    /// Every probe is bounded by busybox timeout, not by the tools' own options: busybox builds differ (Debian's wget
    /// has no -T and crashes on it; ping's -w does not bound -c), and timeout is in every build. A TCP connection that
    /// is made but never answered (a TLS port given plain HTTP, a listener that does not speak) is told from one never
    /// made by the socket the pod's /proc/net/tcp still holds after the kill: any state but SYN_SENT was connected.
    /// </para>
    /// <para>
    /// Only validated values reach the script: IPv4 addresses as IPAddress writes them, DNS names of letters, digits,
    /// hyphens and dots, numbers, and a tool directory of path characters. An address a DNS server answers is quoted
    /// and checked to be dotted digits before use.
    /// </para>
    /// </summary>
    internal static partial class PodProbeScript
    {
        public const string Marker = "K3SNET";

        /// <summary>How many echoes a ping probe sends within its timeout (as SilentPathRetry spaces a node's).</summary>
        public const int Echoes = 3;

        // k: the sockets to address:port in /proc/net/tcp in any state but SYN_SENT (02): a connection was made.
        // t: a TCP connection with wget, then k.   l: nslookup of a name at a server, A records only.
        // e: l at the cluster DNS, then t to the first IPv4 address answered.   r: one job's line.
        private const string Functions = """
            k() { set -- $(printf '%s' "$1" | $B tr . ' ') $2; h=$(printf '%02X%02X%02X%02X:%04X' $4 $3 $2 $1 $5); $B grep -cE " $h (0[13-9AB]) " /proc/net/tcp; }
            t() { o=$($B timeout $1 $B wget -O /dev/null "http://$2:$3/" 2>&1); c=$?; printf '%s\nestablished: %s' "$o" "$(k "$2" $3)"; return $c; }
            l() { $B timeout $(($1+1)) $B nslookup -type=a -timeout=$1 -retry=1 "$2" "$3"; }
            e() { o=$(l $1 "$2" "$3" 2>&1); c=$?; printf '%s\n' "$o"; a=$(printf '%s\n' "$o" | $B awk '/^Name:/{f=1;next} f&&/^Address/{sub(/^Address[^:]*:[ \t]*/,""); split($0,x," "); if (x[1] ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) {print x[1]; exit}}'); [ -n "$a" ] || return $c; printf 'connect: %s\n' "$a"; t $1 "$a" $4; }
            r() { i=$1; shift; o=$("$@" 2>&1); c=$?; printf 'K3SNET %s %s %s\n' "$i" "$c" "$(printf '%s' "$o" | $B tr '\n' '\037')"; }
            """;

        /// <summary>The exec command: [busybox, sh, -c, script].</summary>
        public static IReadOnlyList<string> Command(string toolDirectory, IReadOnlyList<PodProbe> probes, int timeoutSeconds)
        {
            string busybox = Busybox(toolDirectory);
            return new[] { busybox, "sh", "-c", Script(busybox, probes, timeoutSeconds) };
        }

        /// <summary>How long the whole command may take: a lookup and a connection one after the other, and a margin for exec itself.</summary>
        public static TimeSpan Budget(int timeoutSeconds) => TimeSpan.FromSeconds((2 * (timeoutSeconds + 1)) + 10);

        internal static string Script(string busybox, IReadOnlyList<PodProbe> probes, int timeoutSeconds)
        {
            if (timeoutSeconds is < 1 or > 60)
            {
                throw new ArgumentOutOfRangeException(nameof(timeoutSeconds), timeoutSeconds, "The probe timeout is 1 to 60 seconds.");
            }

            string t = timeoutSeconds.ToString(CultureInfo.InvariantCulture);
            var script = new StringBuilder();
            script.Append("B=").Append(busybox).Append('\n');
            script.Append(Functions.Replace("\r", string.Empty, StringComparison.Ordinal)).Append('\n');
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (PodProbe probe in probes)
            {
                if (!ProbeId().IsMatch(probe.Id) || !ids.Add(probe.Id))
                {
                    throw new ArgumentException($"The probe id '{probe.Id}' is not a unique short word.", nameof(probes));
                }

                string address = IPv4(probe.Address);
                script.Append("r ").Append(probe.Id).Append(' ').Append(probe.Kind switch
                {
                    PodProbeKind.Ping => string.Create(CultureInfo.InvariantCulture,
                        $"$B timeout {t} $B ping -c {Echoes} -i {timeoutSeconds / (double)Echoes:0.###} -W 1 {address}"),
                    PodProbeKind.Lookup => $"l {t} {Name(probe.Name)} {address}",
                    PodProbeKind.Connect => $"t {t} {address} {Port(probe.Port)}",
                    PodProbeKind.ResolveAndConnect => $"e {t} {Name(probe.Name)} {address} {Port(probe.Port)}",
                    _ => throw new ArgumentException($"Unknown probe kind {probe.Kind}.", nameof(probes)),
                }).Append(" &\n");
            }

            script.Append("wait\n");
            return script.ToString();
        }

        /// <summary>busybox in the tool directory: an absolute path of plain path characters, nothing a shell expands.</summary>
        internal static string Busybox(string toolDirectory)
        {
            if (string.IsNullOrEmpty(toolDirectory) || !ToolDirectory().IsMatch(toolDirectory) || toolDirectory.Contains("/../", StringComparison.Ordinal) || toolDirectory.EndsWith("/..", StringComparison.Ordinal))
            {
                throw new ArgumentException($"The tool directory '{toolDirectory}' is not an absolute path of letters, digits, '.', '_', '-' and '/'.", nameof(toolDirectory));
            }

            return toolDirectory.TrimEnd('/') + "/busybox";
        }

        private static string IPv4(string text) =>
            IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetwork && address.ToString() == text
                ? text
                : throw new ArgumentException($"'{text}' is not an IPv4 address in dotted form.", nameof(text));

        private static string Name(string? name) =>
            name is not null && EgressTarget.IsDnsName(name) ? name : throw new ArgumentException($"'{name}' is not a DNS name.", nameof(name));

        private static string Port(int? port) =>
            port is >= 1 and <= 65535 ? port.Value.ToString(CultureInfo.InvariantCulture) : throw new ArgumentException($"'{port}' is not a TCP port.", nameof(port));

        [GeneratedRegex("^/[A-Za-z0-9._/-]*$", RegexOptions.CultureInvariant)]
        private static partial Regex ToolDirectory();

        [GeneratedRegex("^[a-z][a-z0-9]{0,15}$", RegexOptions.CultureInvariant)]
        private static partial Regex ProbeId();
    }
}
