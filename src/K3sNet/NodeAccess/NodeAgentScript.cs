using System.Collections.Generic;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// The node agent: a short busybox ash loop run by exec in a probe pod, which runs K3sNet's tool requests on the node.
    /// </summary>
    /// <remarks>
    /// Protocol (one exec session, stdin and stdout only, so it works over exec v4, which cannot close stdin):
    /// <list type="bullet">
    /// <item>Requests, one per line: <c>&lt;id&gt; &lt;tool&gt; &lt;args...&gt;</c> (id in digits); <c>kill &lt;id&gt;</c> stops
    /// that request's tool; <c>exit</c> ends the agent, as the end of stdin does.</item>
    /// <item>Each request runs as a background job with stdin from /dev/null, its stdout, stderr and exit status in files
    /// of a private temp dir; it then writes its id to a FIFO. One writer loop reads the FIFO and prints
    /// <c>K3SNET &lt;id&gt; &lt;rc&gt; &lt;stdout-bytes&gt; &lt;stderr-bytes&gt;</c>, a newline, then exactly those bytes:
    /// answers never interleave, however many run at once. rc is <c>notfound</c> when the tool is not on PATH.</item>
    /// </list>
    /// An answer that cannot be written (nobody reads the exec session's stdout any more) ends the agent, with its
    /// temp dir and its jobs' tools, rather than leaving it to run requests for nobody until its pod goes.
    /// The temp dir comes from mktemp (the host's, else busybox's), not from the PID alone: an agent killed with its pod
    /// (SIGKILL, no trap runs) leaves its dir, and in a PID namespace of its own every agent has the same small PID.
    /// Each dir names its agent (PID and PID namespace), so the next agent on the node removes the dirs of agents that
    /// are gone: only those of its own PID namespace, whose PIDs it can see (a probe pod is hostPID: the host's).
    /// The words of a request are split on spaces with globbing off (<c>set -f</c>) and never evaluated: the session
    /// admits only letters, digits and <c>._:/=,-</c> in them, so nothing in a request means anything to the shell.
    /// </remarks>
    internal static class NodeAgentScript
    {
        /// <summary>The host's own tools first (iputils ping, iproute2's bridge); k3s's static ones fill the gaps.</summary>
        public const string HostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

        /// <summary>The first word of an answer's header.</summary>
        public const string AnswerMark = "K3SNET";

        /// <summary>The rc of an answer whose tool is not on PATH.</summary>
        public const string NotFound = "notfound";

        private const string Body = """
            set -f
            d=$(mktemp -d "${TMPDIR:-/tmp}/k3snet-agent.XXXXXXXX" 2>/dev/null)
            if [ -z "$d" ]; then
              n=0
              until mkdir -m 700 "${TMPDIR:-/tmp}/k3snet-agent.$$.$n" 2>/dev/null; do
                n=$((n + 1))
                [ $n -lt 10000 ] || exit 70
              done
              d="${TMPDIR:-/tmp}/k3snet-agent.$$.$n"
            fi
            mkfifo "$d/done" || { rm -rf "$d"; exit 70; }
            ns=$(readlink /proc/$$/ns/pid)
            echo "$$ $ns" >"$d/agent"
            set +f
            for o in "${TMPDIR:-/tmp}"/k3snet-agent.*/agent; do
              [ -f "$o" ] && [ "$o" != "$d/agent" ] || continue
              read -r p n <"$o" || continue
              [ "$n" = "$ns" ] && ! kill -0 "$p" 2>/dev/null && rm -rf "${o%/agent}"
            done
            set -f
            w=
            finish() {
              trap '' EXIT INT TERM HUP
              [ -n "$w" ] && kill "$w" 2>/dev/null
              set +f
              for p in "$d"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
              rm -rf "$d"
            }
            trap finish EXIT
            trap 'exit 129' HUP
            trap 'exit 130' INT
            trap 'exit 143' TERM
            exec 3<>"$d/done"
            (
              trap - EXIT HUP INT TERM
              trap '' PIPE
              while read -r id <&3; do
                rc=$(cat "$d/$id.rc")
                o=$(wc -c <"$d/$id.out")
                e=$(wc -c <"$d/$id.err")
                { echo "K3SNET $id $rc $((o)) $((e))" && cat "$d/$id.out" "$d/$id.err"; } || break
                rm -f "$d/$id.out" "$d/$id.err" "$d/$id.rc" "$d/$id.pid"
              done
              kill -TERM $$ 2>/dev/null
            ) &
            w=$!
            while read -r line; do
              set -- $line
              [ $# -gt 0 ] || continue
              case "$1" in
                exit) break ;;
                kill) [ -f "$d/$2.pid" ] && kill "$(cat "$d/$2.pid")" 2>/dev/null; continue ;;
                *[!0-9]*) continue ;;
              esac
              id=$1
              shift
              [ $# -gt 0 ] || continue
              (
                trap - EXIT HUP INT TERM
                if command -v "$1" >/dev/null 2>&1; then
                  "$@" </dev/null >"$d/$id.out" 2>"$d/$id.err" 3>&- &
                  echo $! >"$d/$id.pid"
                  wait $!
                  rc=$?
                  # Gone before the answer: a late `kill <id>` must not hit a process that reused the tool's PID.
                  rm -f "$d/$id.pid"
                  echo $rc >"$d/$id.rc"
                else
                  : >"$d/$id.out"
                  echo "$1: not found" >"$d/$id.err"
                  echo notfound >"$d/$id.rc"
                fi
                echo "$id" >"$d/done"
              ) </dev/null >/dev/null 2>/dev/null 3>&- &
            done
            exit 0
            """;

        /// <summary>
        /// The exec command that starts the agent with k3s's own tools in <paramref name="toolDirectory"/> (its busybox runs
        /// the loop). The agent enters the host's mount namespace (the pod is hostPID, so PID 1 is the host's init) so the
        /// host's own tools are found first; hostNetwork already gives it the host's network.
        /// </summary>
        public static IReadOnlyList<string> Command(string toolDirectory)
        {
            string script = Text(toolDirectory);
            string busybox = toolDirectory.TrimEnd('/') + "/busybox";
            return new[] { busybox, "nsenter", "-t", "1", "-m", "--", busybox, "sh", "-c", script };
        }

        /// <summary>The agent's script, PATH included: what <see cref="Command"/> runs, and what tests run without nsenter.</summary>
        public static string Text(string toolDirectory)
        {
            NodeAgentRequest.Validate(toolDirectory, nameof(toolDirectory));
            return $"PATH={HostPath}:{toolDirectory.TrimEnd('/')}\nexport PATH\n" + Body;
        }
    }
}
