using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.ClusterProbes;
using K3sNet.Kubernetes;

namespace K3sNet.PodNetwork
{
    /// <summary>Runs a command in a ready node's probe pod to its end (ProbeFleet.RunAsync, or a test's stand-in).</summary>
    internal delegate Task<ProbeExecResult> PodCommandRunner(ProbeNode node, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Tests what pods see from every node's probe pod at once: one exec per ready pod runs all its probes in parallel
    /// (so the probes cost about one timeout whatever the node count; the fleet bounds how many execs run at once), then
    /// the judge explains the results together. A pod whose exec fails makes only its own results NotTested.
    /// </summary>
    internal sealed class PodNetworkTester
    {
        private readonly PodCommandRunner _run;
        private readonly int _timeoutSeconds;
        private int _execCount;

        public PodNetworkTester(PodCommandRunner run, int timeoutSeconds)
        {
            _run = run;
            _timeoutSeconds = timeoutSeconds;
        }

        /// <summary>How many exec sessions the last run opened: one per ready pod.</summary>
        public int ExecCount => _execCount;

        /// <param name="progress">Receives "node: done" as each pod's probes finish.</param>
        public async Task<IReadOnlyList<PodNetworkResult>> TestAsync(
            IReadOnlyList<ProbeNode> nodes,
            ClusterTargets targets,
            IReadOnlyList<EgressTarget> egress,
            IEnumerable<VxlanPathResult> vxlan,
            IProgress<ProbeNode>? progress,
            CancellationToken cancellationToken)
        {
            ProbeNode[] ready = nodes.Where(n => n.IsReady).ToArray();
            Task<PodRunOutcome>[] runs = ready.Select(node => RunAsync(node, PodNetworkPlan.For(node, nodes, targets, egress), progress, cancellationToken)).ToArray();
            PodRunOutcome[] outcomes = await Task.WhenAll(runs).ConfigureAwait(false);
            var byNode = new Dictionary<ProbeNode, PodRunOutcome>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < ready.Length; i++)
            {
                byNode[ready[i]] = outcomes[i];
            }

            return new PodNetworkJudge(nodes, targets, egress, vxlan, _timeoutSeconds).Judge(byNode);
        }

        private async Task<PodRunOutcome> RunAsync(ProbeNode node, IReadOnlyList<PlannedProbe> plan, IProgress<ProbeNode>? progress, CancellationToken cancellationToken)
        {
            var none = new Dictionary<string, PodProbeRun>();
            if (plan.Count == 0)
            {
                return new PodRunOutcome(plan, none, null);
            }

            IReadOnlyList<string> command = PodProbeScript.Command(node.ToolDirectory, plan.Select(p => p.Probe).ToArray(), _timeoutSeconds);
            try
            {
                Interlocked.Increment(ref _execCount);
                ProbeExecResult result = await _run(node, command, PodProbeScript.Budget(_timeoutSeconds), cancellationToken).ConfigureAwait(false);
                IReadOnlyDictionary<string, PodProbeRun> runs = PodProbeRun.Parse(result.StandardOutput);
                if (runs.Count == 0)
                {
                    // Nothing ran: busybox is not where the tool directory says, or the shell refused the script.
                    string said = FirstLine(result.StandardError) ?? FirstLine(result.StandardOutput) ?? "no output";
                    return new PodRunOutcome(plan, none, result.TimedOut
                        ? $"the probes did not finish within {PodProbeScript.Budget(_timeoutSeconds).TotalSeconds:0} s."
                        : $"the probe command ({command[0]}) exited {result.ExitCode}: {said}");
                }

                return new PodRunOutcome(plan, runs, null);
            }
            catch (ClusterRequestException exception)
            {
                return new PodRunOutcome(plan, none, exception.Message);
            }
            finally
            {
                progress?.Report(node);
            }
        }

        private static string? FirstLine(string text) =>
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
    }
}
