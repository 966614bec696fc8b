// CONTRACT (integrator, 2026-12-02): the signatures below are fixed; helper C implements the bodies.
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// One run's probe pods: a namespace of K3sNet's own (k3snet-&lt;random&gt;, labelled as K3sNet's, annotated with
    /// its owner), one pod per node pinned by nodeName, started in parallel and waited for with one watch; exec into
    /// them bounded by the throttle limit; and the namespace deleted when the run ends, however it ends.
    /// </summary>
    internal sealed class ProbeFleet : IAsyncDisposable
    {
        /// <summary>The label every namespace K3sNet makes carries (app.kubernetes.io/managed-by=k3snet).</summary>
        public const string ManagedByLabel = "app.kubernetes.io/managed-by";

        public const string ManagedByValue = "k3snet";

        private ProbeFleet()
        {
        }

        /// <summary>The namespace of this run.</summary>
        public string Namespace { get; private set; } = string.Empty;

        /// <summary>Every node given, in order, with its pod or why it has none running.</summary>
        public IReadOnlyList<ProbeNode> Nodes { get; private set; } = Array.Empty<ProbeNode>();

        /// <summary>
        /// Creates the namespace and one pod of <paramref name="kind"/> per node, and waits (up to the start timeout) until
        /// each is Ready or has failed for a reason of its own. Progress reports each pod as it comes. Throws
        /// ClusterRequestException when the namespace or the pods cannot be created at all (403, Pod Security), after
        /// removing what it made.
        /// </summary>
        public static Task<ProbeFleet> StartAsync(
            IPodRunner runner,
            IReadOnlyList<K3sNode> nodes,
            ProbePodKind kind,
            ProbeFleetOptions options,
            IProgress<string>? progress,
            CancellationToken cancellationToken) => throw new NotImplementedException();

        /// <summary>Opens an exec session on a ready node's pod, waiting for a free slot of the throttle limit; the slot is held until the session is disposed.</summary>
        public Task<IExecSession> OpenSessionAsync(ProbeNode node, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
            throw new NotImplementedException();

        /// <summary>Runs a command in a ready node's pod to its end (bounded by <paramref name="timeout"/>): exit code, stdout, stderr.</summary>
        public Task<ProbeExecResult> RunAsync(ProbeNode node, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new NotImplementedException();

        /// <summary>Deletes the namespace (with its own bounded timeout, not the run's token: Ctrl+C must still clean up).</summary>
        public ValueTask DisposeAsync() => throw new NotImplementedException();
    }

    /// <summary>What a command run through exec gave back.</summary>
    internal sealed record ProbeExecResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut);
}
