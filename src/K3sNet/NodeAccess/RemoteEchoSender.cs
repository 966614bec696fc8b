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
        /// What K3sNet allows beyond the caller's timeout for an answer on its way back through the exec session. The
        /// caller's timeout stays the bound: the node's tool may wait longer (-W is whole seconds), and is then stopped.
        /// </summary>
        private static readonly TimeSpan TransportAllowance = TimeSpan.FromMilliseconds(500);

        private readonly INodeShell _shell;

        private RemoteEchoSender(INodeShell shell, PingFlavour flavour)
        {
            _shell = shell;
            Flavour = flavour;
        }

        public PingFlavour Flavour { get; }

        public string Kind => $"{(Flavour == PingFlavour.Iputils ? "iputils" : "busybox")} ping on {_shell.Description}";

        /// <summary>Asks the node once which ping it has (`ping -V`); <see cref="PingFlavour.Missing"/> when none.</summary>
        public static async Task<RemoteEchoSender> CreateAsync(INodeShell shell, CancellationToken cancellationToken)
        {
            HostToolRun version = await shell.RunAsync("ping", new[] { "-V" }, cancellationToken).ConfigureAwait(false);
            return new RemoteEchoSender(shell, PingOutput.Flavour(version.NotInstalled, version.Output, version.Failure));
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
                return EchoOutcome.Silence($"no echo reply within {timeout.TotalSeconds:0.###} s");
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
            string[] arguments = { "wget", "-q", "-T", Invariant(PingOutput.WaitSeconds(timeout)), "-O", "/dev/null", $"http://{destination}:{Invariant(port)}/" };
            HostToolRun? run = await RunBoundedAsync("busybox", arguments, timeout, cancellationToken).ConfigureAwait(false);
            if (run is not HostToolRun answer)
            {
                return EchoOutcome.Silence($"TCP {port} did not answer within {timeout.TotalSeconds:0.###} s");
            }

            if (answer.NotInstalled)
            {
                return EchoOutcome.Silence($"TCP {port} was not tried: there is no busybox on {_shell.Description}");
            }

            return answer.Output is not null || WgetOutput.PeerAnswered(answer.Failure ?? string.Empty)
                ? EchoOutcome.Reply(clock.Elapsed)
                : EchoOutcome.Silence($"TCP {port}: {answer.Failure}");
        }

        /// <summary>The tool's run, or null when it did not answer within the timeout and the transport allowance (the request is then stopped).</summary>
        private async Task<HostToolRun?> RunBoundedAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout + TransportAllowance);
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
