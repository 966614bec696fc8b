using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using K3sNet.Probing;

namespace K3sNet.Commands
{
    /// <summary>
    /// Answers Test-K3sVxlan -Probe on this host: the peer end of the VXLAN preflight, before k3s (and flannel.1) own
    /// UDP 8472. Runs until Ctrl+C or -Duration, then writes what it answered and dropped.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "K3sVxlanResponder")]
    [OutputType(typeof(VxlanResponderSummary))]
    public sealed class StartK3sVxlanResponderCommand : K3sNetCmdlet
    {
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

        [Parameter(Position = 0)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 8472;

        /// <summary>How long to answer: a number is seconds (-Duration 30), a time span as PowerShell reads one (-Duration 00:10:00).</summary>
        [Parameter]
        [SecondsTransformation]
        public TimeSpan Duration { get; set; }

        [Parameter]
        public IPAddress BindAddress { get; set; } = IPAddress.Any;

        [Parameter]
        [ValidateRange(0, 0xFFFFFF)]
        public int Vni { get; set; } = 1;

        /// <summary>The longest -Duration a timer can count down (about 49.7 days); longer ones are refused, not crashed on.</summary>
        private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds((uint.MaxValue - 1) / 1000);

        protected override void BeginProcessing()
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Duration)) && (Duration <= TimeSpan.Zero || Duration > MaxDuration))
            {
                ThrowTerminatingError(K3sNetErrors.Create(
                    "InvalidResponderDuration",
                    ErrorCategory.InvalidArgument,
                    Duration,
                    Duration <= TimeSpan.Zero
                        ? $"-Duration must be longer than zero; got {Duration}."
                        : $"-Duration can be at most {MaxDuration}; got {Duration}.",
                    "Give seconds (-Duration 600) or a time span (-Duration 00:10:00), or leave -Duration out to answer until Ctrl+C."));
            }
        }

        protected override void EndProcessing()
        {
            var options = new VxlanResponderOptions
            {
                BindAddress = BindAddress,
                Port = Port,
                Vni = Vni,
                Duration = MyInvocation.BoundParameters.ContainsKey(nameof(Duration)) ? Duration : null,
            };

            using var responder = new VxlanResponder(options);
            try
            {
                responder.Start();
            }
            catch (SocketException e)
            {
                ThrowTerminatingError(VxlanErrors.ResponderBindFailed(e, new IPEndPoint(BindAddress, Port)));
            }

            WriteVerbose($"Answering K3sNet VXLAN probes (VNI {Vni}) on UDP {responder.LocalEndPoint}" +
                (options.Duration is TimeSpan duration ? $" for {duration}." : " until Ctrl+C."));
            Task<VxlanResponderSummary> running = responder.RunAsync(CancellationToken);
            var progress = new ProgressRecord(1, "Start-K3sVxlanResponder", $"Listening on UDP {responder.LocalEndPoint}");
            while (!((IAsyncResult)running).AsyncWaitHandle.WaitOne(ProgressInterval))
            {
                VxlanResponderSummary soFar = responder.Snapshot();
                progress.StatusDescription = $"UDP {soFar.Port}: {soFar.Answered} answered, {soFar.Dropped} dropped";
                WriteProgress(progress);
            }

            VxlanResponderSummary summary = Wait(running);
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            if (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            foreach (KeyValuePair<string, long> dropped in summary.DroppedByReason)
            {
                WriteVerbose($"Dropped {dropped.Value} datagram(s): {dropped.Key}.");
            }

            WriteObject(summary);
        }
    }
}
