using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// The tools and files of one node, wherever the checks run: this host (a process per tool) or a cluster node
    /// reached through a probe pod's exec session. The node checks read flannel.1, its entries and the firewall only
    /// through this, so one set of checks and verdict rules serves both.
    /// </summary>
    internal interface INodeShell
    {
        /// <summary>Where the tools run, for messages: "this host", or "k3s-agent-2 (pod k3snet-ab12cd/k3snet-node-k3s-agent-2)".</summary>
        string Description { get; }

        /// <summary>
        /// Runs a tool on the node to its end: its standard output when it exits 0, else why not (not installed, or its own
        /// error). Ctrl+C (the token) stops it. Arguments are passed as they are, never through a shell.
        /// </summary>
        Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken);

        /// <summary>A file's text (a /proc/sys value, /proc/net/ip_tables_names), or null when it cannot be read.</summary>
        Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken);
    }
}
