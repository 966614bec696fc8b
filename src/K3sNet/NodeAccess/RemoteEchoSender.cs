using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.Icmp;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// Echoes from a cluster node, sent by the node's own tools through its <see cref="INodeShell"/>: ICMP with its
    /// ping (iputils where the host has it, else k3s's busybox), TCP with busybox wget (the node has no nc).
    /// </summary>
    internal sealed class RemoteEchoSender : IEchoSender
    {
        /// <summary>
        /// How long beyond the caller's timeout K3sNet waits for a node's answer. The node's tool bounds the probe itself
        /// (ping -W, timeout around wget); this only bounds a node too busy to run the tool and send its answer back in
        /// time, and such an echo is unknown, never a silence: a loaded node must not make its peers look unreachable.
        /// </summary>
        internal static readonly TimeSpan AgentAllowance = TimeSpan.FromSeconds(15);

        private readonly INodeShell _shell;
        private readonly TimeSpan _agentAllowance;

        private RemoteEchoSender(INodeShell shell, PingFlavour flavour, TimeSpan agentAllowance)
        {
            _shell = shell;
            _agentAllowance = agentAllowance;
            Flavour = flavour;
        }

        public PingFlavour Flavour { get; }

        public string Kind => $"{(Flavour == PingFlavour.Iputils ? "iputils" : "busybox")} ping on {_shell.Description}";

        /// <summary>Asks the node once which ping it has (`ping -V`); <see cref="PingFlavour.Missing"/> when none.</summary>
        /// <param name="agentAllowance">How long beyond each probe's timeout to wait for the node's answer; null: <see cref="AgentAllowance"/>.</param>
        public static async Task<RemoteEchoSender> CreateAsync(INodeShell shell, CancellationToken cancellationToken, TimeSpan? agentAllowance = null)
        {
            HostToolRun version = await shell.RunAsync("ping", new[] { "-V" }, cancellationToken).ConfigureAwait(false);
            return new RemoteEchoSender(shell, PingOutput.Flavour(version.NotInstalled, version.Output, version.Failure), agentAllowance ?? AgentAllowance);
        }

        public async Task<EchoOutcome> EchoAsync(IPAddress destination, int packetSize, bool dontFragment, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (Flavour == PingFlavour.Missing)
            {
                return EchoOutcome.NotSendable($"there is no ping on {_shell.Description}");
            }

            if (dontFragment && Flavour != PingFlavour.Iputils)
            {
                // Without DF the kernel fragments a large echo locally: its answer would prove nothing about the path MTU.
                return EchoOutcome.NotSendable($"the ping on {_shell.Description} is busybox's, which cannot set DF (no -M), so a full-size echo would be fragmented and prove nothing");
            }

            int payload = Math.Max(packetSize, IcmpEchoSender.MinimumPacketSize) - IcmpEchoSender.Ipv4HeaderLength - Packets.IcmpEcho.HeaderLength;
            var arguments = new List<string>();
            if (Flavour == PingFlavour.Iputils)
            {
                arguments.Add("-n");
            }

            arguments.AddRange(new[] { "-c", "1", "-W", Invariant(PingOutput.WaitSeconds(timeout)), "-s", Invariant(payload) });
            if (Flavour == PingFlavour.Iputils)
            {
                arguments.AddRange(new[] { "-M", dontFragment ? "do" : "dont" });
            }

            arguments.Add(destination.ToString());
            var clock = Stopwatch.StartNew();
            HostToolRun? run = await RunBoundedAsync("ping", arguments, timeout, cancellationToken).ConfigureAwait(false);
            if (run is not HostToolRun answer)
            {
                return EchoOutcome.NotSendable(Unanswered("ping", timeout));
            }

            if (answer.Output is string output)
            {
                return EchoOutcome.Reply(PingOutput.RoundTrip(output) ?? clock.Elapsed);
            }

            // Exit 1 with nothing on stderr is an unanswered echo; an error (a DF packet above the route's MTU) is said as is.
            return answer.Failure is string failure && !failure.EndsWith("exit code 1", StringComparison.Ordinal)
                ? EchoOutcome.Silence(failure)
                : EchoOutcome.Silence($"no echo reply within {timeout.TotalSeconds:0.###} s");
        }

        public async Task<EchoOutcome> TcpConnectAsync(IPAddress destination, int port, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();

            // busybox's timeout bounds the connect on the node (wget -T crashes some busybox builds, and a crash is no answer).
            string[] arguments = { "timeout", Invariant(PingOutput.WaitSeconds(timeout)), "busybox", "wget", "-q", "-O", "/dev/null", $"http://{destination}:{Invariant(port)}/" };
            HostToolRun? run = await RunBoundedAsync("busybox", arguments, timeout, cancellationToken).ConfigureAwait(false);
            if (run is not HostToolRun answer)
            {
                return EchoOutcome.NotSendable(Unanswered("wget", timeout));
            }

            if (answer.NotInstalled)
            {
                return EchoOutcome.NotSendable($"TCP {port} was not tried: there is no busybox on {_shell.Description}");
            }

            if (answer.Output is not null)
            {
                return EchoOutcome.Reply(clock.Elapsed);
            }

            string failure = answer.Failure ?? string.Empty;
            return WgetOutput.Classify(failure) switch
            {
                WgetAnswer.Answered => EchoOutcome.Reply(clock.Elapsed),
                WgetAnswer.Silent => EchoOutcome.Silence(string.Create(CultureInfo.InvariantCulture, $"TCP {port} did not answer within {PingOutput.WaitSeconds(timeout)} s")),
                _ => EchoOutcome.NotSendable($"TCP {port} could not be judged from {_shell.Description}: {failure}"),
            };
        }

        private string Unanswered(string tool, TimeSpan timeout) => string.Create(CultureInfo.InvariantCulture,
            $"{_shell.Description} did not send {tool}'s answer within {(timeout + _agentAllowance).TotalSeconds:0.#} s (a node too busy to run it in time), so this probe says nothing about the path");

        /// <summary>The tool's run, or null when the node did not answer within the timeout and the agent allowance (the request is then stopped).</summary>
        private async Task<HostToolRun?> RunBoundedAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout + _agentAllowance);
            try
            {
                return await _shell.RunAsync(tool, arguments, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
