// CONTRACT (integrator, 2026-12-02): the signatures below are fixed; helper A implements the bodies.
using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// Talks to one node agent over an exec session's stdin and stdout: many tool requests at once, each answered as it
    /// ends, framed so concurrent answers never mix.
    /// </summary>
    internal sealed class NodeAgentSession : INodeShell, IAsyncDisposable
    {
        /// <param name="description">Where the agent runs, for messages.</param>
        /// <param name="agentInput">The agent's stdin (K3sNet writes requests).</param>
        /// <param name="agentOutput">The agent's stdout (K3sNet reads answers).</param>
        public NodeAgentSession(string description, Stream agentInput, Stream agentOutput) => throw new NotImplementedException();

        public string Description => throw new NotImplementedException();

        /// <summary>How many requests this session sent (the tests count them).</summary>
        public int RequestCount => throw new NotImplementedException();

        public Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) => throw new NotImplementedException();

        public Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken) => throw new NotImplementedException();

        /// <summary>Asks the agent to end (it exits 0) and stops reading.</summary>
        public ValueTask DisposeAsync() => throw new NotImplementedException();
    }
}
