using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Kubernetes;
using K3sNet.NodeAccess;
using K3sNet.Vxlan;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// Test-K3sVxlan on every node at once, through the fleet's Node pods: each ready node runs the same kernel checks
    /// and verdict rules as Test-K3sVxlan run there, with Source = that node. A node that cannot run them (its pod did
    /// not start, exec was refused, the checks did not finish in time) gives NotTested for each of its peers, saying
    /// why, and never stops the others.
    /// </summary>
    internal static class VxlanFleetRun
    {
        /// <summary>How long a node that broke waits for its exec's error channel, which names the cause.</summary>
        private static readonly TimeSpan ExitCodeGrace = TimeSpan.FromSeconds(2);

        public static async IAsyncEnumerable<VxlanFleetEvent> RunAsync(
            ProbeFleet fleet,
            IReadOnlyList<K3sNode> cluster,
            VxlanTestOptions options,
            TimeSpan nodeTimeout,
            NodeCheckConnector connector,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var events = Channel.CreateUnbounded<VxlanFleetEvent>(new UnboundedChannelOptions { SingleReader = true });
            // Ends the nodes' work when the run ends early: Ctrl+C, or a refusal that stops every node alike.
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task[] nodes = fleet.Nodes
                .Select(node => TestNodeAsync(fleet, node, cluster, options, nodeTimeout, connector, events.Writer, run.Token))
                .ToArray();
            Task all = Task.WhenAll(nodes).ContinueWith(done => events.Writer.TryComplete(done.Exception?.InnerException), TaskScheduler.Default);
            try
            {
                await foreach (VxlanFleetEvent item in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
            finally
            {
                run.Cancel();
            }

            await all.ConfigureAwait(false);
        }

        private static async Task TestNodeAsync(
            ProbeFleet fleet,
            ProbeNode node,
            IReadOnlyList<K3sNode> cluster,
            VxlanTestOptions options,
            TimeSpan nodeTimeout,
            NodeCheckConnector connector,
            ChannelWriter<VxlanFleetEvent> events,
            CancellationToken cancellationToken)
        {
            string name = node.Node.Name;
            PeerSelection selection = PeerSelection.FromNodes(cluster, new HashSet<IPAddress>(), name);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            int count = 0;

            void Write(VxlanPathResult result)
            {
                reported.Add(result.Destination);
                count++;
                events.TryWrite(new VxlanFleetResult(name, result));
            }

            void NotTestedForTheRest(string reason, string? remedy)
            {
                foreach (VxlanPeer peer in selection.Peers.Where(p => !reported.Contains(p.Name)))
                {
                    Write(NotTested(name, selection.Local, peer, reason, remedy));
                }
            }

            foreach (K3sNode other in selection.OtherBackends)
            {
                Write(PeerSelection.NotOnVxlan(name, other));
            }

            if (!node.IsReady)
            {
                NotTestedForTheRest(
                    $"The probe pod on {name} could not start: {node.NotReadyReason}.",
                    IsImageProblem(node.NotReadyReason!)
                        ? "Pass -Image with an image every node holds or can pull (K3sNet needs only its entrypoint: the tools come from k3s's own directory on the node)."
                        : $"Check the node with 'kubectl describe node {name}', then run the test again.");
                events.TryWrite(new VxlanFleetNodeDone(name, count));
                return;
            }

            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            string description = $"{name} (pod {fleet.Namespace}/{node.PodName})";
            IExecSession? session = null;
            INodeShell? shell = null;
            IVxlanPathTester? tester = null;
            try
            {
                session = await fleet.OpenSessionAsync(node, connector.AgentCommand(node.ToolDirectory), bounded.Token).ConfigureAwait(false);
                // The node's bound starts with its session: waiting for a slot of the throttle limit is not its checks' time.
                bounded.CancelAfter(nodeTimeout);
                // A kubelet that refuses the exec, or an agent that dies, ends the exec's error channel while K3sNet may
                // still wait for an answer: stop that node's checks then, rather than at the timeout.
                Task<int> exited = session.ExitCode;
                _ = exited.ContinueWith(_ => Cancel(bounded), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                shell = connector.OpenShell(description, session);
                VxlanTestOptions nodeOptions = options with { LocalNodeName = name, LocalNode = selection.Local };
                VxlanTesterCreation creation = await connector.CreateTester(shell, nodeOptions, bounded.Token).ConfigureAwait(false);
                foreach (string note in creation.Notes)
                {
                    events.TryWrite(new VxlanFleetNote(name, note));
                }

                if (creation.Failure is not null)
                {
                    NotTestedForTheRest($"Test-K3sVxlan cannot test from {name}: {Describe(creation.Failure, name)}.", RemedyFor(creation.Failure));
                    return;
                }

                tester = creation.Tester!;
                await foreach (VxlanPathResult result in tester.TestAsync(selection.Peers, nodeOptions, bounded.Token).ConfigureAwait(false))
                {
                    DrainNotes(tester, name, events);
                    Write(result);
                }

                DrainNotes(tester, name, events);
                NotTestedForTheRest($"The checks on {name} gave no result for this peer.", null);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The exec's own end says more than what it broke on this side (a refusal, the kubelet's error): the
                // streams may close a moment before the error channel is read, so give it that moment.
                if (session is not null && !session.ExitCode.IsCompleted)
                {
                    await Task.WhenAny(session.ExitCode, Task.Delay(ExitCodeGrace, cancellationToken)).ConfigureAwait(false);
                }

                Exception cause = session?.ExitCode is { IsFaulted: true } exited ? exited.Exception!.GetBaseException() : exception;
                if (IsRunWideRefusal(cause))
                {
                    ExceptionDispatchInfo.Throw(cause);
                }

                // Whatever broke concerns this node alone: its peers are NotTested with why, and the other nodes go on.
                NotTestedForTheRest(
                    ExecFailure(name, node, session, exception, nodeTimeout),
                    $"Check that the API server reaches the kubelet on {name} (TCP 10250) and that the pod may exec ('kubectl -n {fleet.Namespace} exec {node.PodName} -- true' while a run is on), then run the test again.");
            }
            finally
            {
                (tester as IDisposable)?.Dispose();
                if (shell is IAsyncDisposable disposableShell)
                {
                    await DisposeQuietlyAsync(disposableShell).ConfigureAwait(false);
                }

                if (session is not null)
                {
                    await DisposeQuietlyAsync(session).ConfigureAwait(false);
                }

                events.TryWrite(new VxlanFleetNodeDone(name, count));
            }
        }

        /// <summary>
        /// RBAC refusing exec (or the credentials) refuses every node alike: that ends the run with the error that says
        /// which rule to add, instead of a NotTested for every path.
        /// </summary>
        private static bool IsRunWideRefusal(Exception exception) =>
            exception is ClusterRequestException { Failure: ClusterRequestFailure.Forbidden or ClusterRequestFailure.Unauthorized };

        private static bool IsImageProblem(string reason) =>
            reason.StartsWith("ErrImage", StringComparison.Ordinal) || reason.StartsWith("ImagePull", StringComparison.Ordinal)
            || reason.StartsWith("InvalidImageName", StringComparison.Ordinal) || reason.Contains("-Image", StringComparison.Ordinal);

        /// <summary>Why a ready node's checks did not run: the kubelet's own message when exec failed, else the timeout.</summary>
        private static string ExecFailure(string name, ProbeNode node, IExecSession? session, Exception exception, TimeSpan nodeTimeout)
        {
            Task<int>? exited = session?.ExitCode;
            if (exited is { IsFaulted: true })
            {
                exception = exited.Exception!.GetBaseException();
            }
            else if (exited is { IsCompletedSuccessfully: true })
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"K3sNet's node agent on {name} ended before the checks did (exit code {exited.Result}): the results of {name} are unknown");
            }

            return exception switch
            {
                ClusterRequestException refused => $"K3sNet could not exec into the probe pod on {name} ({node.PodName}): {refused.Message.TrimEnd('.')}",
                OperationCanceledException => string.Create(CultureInfo.InvariantCulture,
                    $"The checks on {name} did not finish within {(int)Math.Ceiling(nodeTimeout.TotalSeconds)} s (exec into {node.PodName}): the results of {name} are unknown"),
                _ => $"The exec session into the probe pod on {name} ({node.PodName}) broke: {exception.Message.TrimEnd('.')}",
            };
        }

        private static VxlanPathResult NotTested(string source, VxlanPeer? local, VxlanPeer peer, string reason, string? remedy) => new()
        {
            Source = source,
            Destination = peer.Name,
            SourceAddress = local?.UnderlayAddress?.ToString(),
            DestinationAddress = peer.UnderlayAddress?.ToString(),
            VtepAddress = peer.VtepAddress?.ToString(),
            Verdict = VxlanVerdict.NotTested,
            Reason = reason,
            Remedy = remedy,
        };

        /// <summary>The tester failure, as the node's own Test-K3sVxlan would report it, in words about that node.</summary>
        private static string Describe(VxlanTesterFailure failure, string node) => failure.Problem switch
        {
            VxlanTesterProblem.FlannelDeviceNotFound => $"{node} has no flannel VXLAN device '{failure.Target}' (k3s runs another flannel backend there, or is not running)",
            VxlanTesterProblem.IprouteNotFound => $"k3s's 'ip' was not found in its tool directory on {node} ({failure.Cause?.Message ?? failure.Target})",
            VxlanTesterProblem.IcmpNotPermitted => $"the probe pod on {node} may not send ICMP echoes ({failure.Cause?.Message ?? failure.Target})",
            VxlanTesterProblem.KernelModeNeedsLinux => $"{node} is not a Linux node",
            _ => failure.Cause?.Message ?? failure.Problem.ToString(),
        };

        private static string? RemedyFor(VxlanTesterFailure failure) => failure.Problem switch
        {
            VxlanTesterProblem.FlannelDeviceNotFound => "Check that k3s runs on the node with flannel's vxlan backend (--flannel-backend=vxlan, the default).",
            VxlanTesterProblem.IprouteNotFound => "Check k3s's data directory on the node (--data-dir): K3sNet uses the ip and busybox k3s ships in <data-dir>/data/current/bin.",
            _ => null,
        };

        private static void DrainNotes(IVxlanPathTester tester, string node, ChannelWriter<VxlanFleetEvent> events)
        {
            if (tester is KernelPathTester kernel)
            {
                while (kernel.Notes.TryDequeue(out string? note))
                {
                    events.TryWrite(new VxlanFleetNote(node, note));
                }
            }
        }

        private static void Cancel(CancellationTokenSource source)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The node finished first.
            }
        }

        private static async Task DisposeQuietlyAsync(IAsyncDisposable disposable)
        {
            try
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or ClusterRequestException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
            {
                // The session is going anyway; what it ended with is already in the results.
            }
        }
    }
}
