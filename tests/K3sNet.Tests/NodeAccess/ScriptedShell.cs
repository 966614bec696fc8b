using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.NodeAccess;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>
    /// A node's tools as captured text, for the unit tests of the readers' logic: "tool args" answers what it was given,
    /// a tool not given is not installed, a file not given cannot be read. Records what was asked.
    /// </summary>
    internal sealed class ScriptedShell : INodeShell
    {
        private readonly Dictionary<string, HostToolRun> _runs = new();
        private readonly Dictionary<string, string> _files = new();

        public string Description => "scripted-node";

        public ConcurrentQueue<string> Asked { get; } = new();

        public ScriptedShell Answers(string command, string output)
        {
            _runs[command] = new HostToolRun(output, null, NotInstalled: false);
            return this;
        }

        public ScriptedShell Fails(string command, string firstErrorLine)
        {
            _runs[command] = new HostToolRun(null, $"'{command}' failed: {firstErrorLine}", NotInstalled: false);
            return this;
        }

        public ScriptedShell File(string path, string text)
        {
            _files[path] = text;
            return this;
        }

        public Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            string command = arguments.Count == 0 ? tool : tool + " " + string.Join(" ", arguments);
            Asked.Enqueue(command);
            if (_runs.TryGetValue(command, out HostToolRun run))
            {
                return Task.FromResult(run);
            }

            bool known = false;
            foreach (string key in _runs.Keys)
            {
                known |= key == tool || key.StartsWith(tool + " ", System.StringComparison.Ordinal);
            }

            return Task.FromResult(known
                ? new HostToolRun(null, $"'{command}' failed: exit code 1", NotInstalled: false)
                : new HostToolRun(null, $"'{tool}' is not installed", NotInstalled: true));
        }

        public Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken)
        {
            Asked.Enqueue("read " + path);
            return Task.FromResult(_files.TryGetValue(path, out string? text) ? text : null);
        }
    }
}
