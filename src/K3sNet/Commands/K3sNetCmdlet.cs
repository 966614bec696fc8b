using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Commands
{
    /// <summary>
    /// What every K3sNet cmdlet that waits on the network shares: a cancellation token that Ctrl+C (StopProcessing)
    /// cancels at once, and a way to wait for async work on the pipeline thread, where WriteObject must be called.
    /// </summary>
    public abstract class K3sNetCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken CancellationToken => _stopping.Token;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// Waits for <paramref name="task"/> and returns its result. A cancellation caused by Ctrl+C surfaces as
        /// PipelineStoppedException, which PowerShell treats as a quiet stop rather than an error.
        /// </summary>
        protected T Wait<T>(Task<T> task)
        {
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <inheritdoc cref="Wait{T}(Task{T})"/>
        protected void Wait(Task task)
        {
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        public void Dispose()
        {
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
