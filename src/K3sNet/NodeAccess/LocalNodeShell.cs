using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;

namespace K3sNet.NodeAccess
{
    /// <summary>This host as a node: a process per tool (<see cref="HostTool"/>) and its own files, as Test-K3sVxlan on a node always did.</summary>
    internal sealed class LocalNodeShell : INodeShell
    {
        public static LocalNodeShell Instance { get; } = new();

        public string Description => "this host";

        public Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
            HostTool.ExecuteAsync(tool, cancellationToken, arguments.ToArray());

        public async Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken)
        {
            try
            {
                return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
