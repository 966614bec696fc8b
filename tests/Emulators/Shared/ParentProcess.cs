using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators
{
    /// <summary>
    /// --parent-pid for both emulators (compiled into each): an emulator stops when the process that started it exits,
    /// so it never outlives a test or lab whose owner was killed before it could stop it.
    /// </summary>
    internal static class ParentProcess
    {
        /// <summary>Cancels <paramref name="stop"/> when process <paramref name="pid"/> exits (at once if it is gone).</summary>
        public static async Task StopWhenExitedAsync(int pid, CancellationTokenSource stop)
        {
            try
            {
                using Process parent = Process.GetProcessById(pid);
                await parent.WaitForExitAsync(stop.Token);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            catch (OperationCanceledException)
            {
                return;
            }

            stop.Cancel();
        }
    }
}
