using System;
using System.Collections.Concurrent;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// A thread that has entered another network namespace (setns). A socket belongs to the namespace of the thread
    /// that creates it, for its whole life: so a call made here that creates its socket before its first await (as
    /// IcmpEchoSender.EchoAsync does) sends from that namespace, while the rest of it runs anywhere. No process per
    /// packet, and the rest of the process stays in its own namespace.
    /// </summary>
    internal sealed class NetworkNamespaceThread : IDisposable
    {
        private const int CloneNewNet = 0x40000000;

        private readonly BlockingCollection<Action> _work = new();
        private readonly Thread _thread;

        [DllImport("libc", SetLastError = true)]
        private static extern int setns(int fd, int nstype);

        private NetworkNamespaceThread(string namespacePath, TaskCompletionSource entered)
        {
            _thread = new Thread(() => Run(namespacePath, entered)) { IsBackground = true, Name = "k3snet-probe-namespace" };
            _thread.Start();
        }

        /// <summary>A thread inside the namespace mounted at <paramref name="namespacePath"/> (/run/netns/&lt;name&gt;); throws IOException when it cannot enter it.</summary>
        public static async Task<NetworkNamespaceThread> EnterAsync(string namespacePath)
        {
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new NetworkNamespaceThread(namespacePath, entered);
            try
            {
                await entered.Task.ConfigureAwait(false);
            }
            catch
            {
                thread.Dispose();
                throw;
            }

            return thread;
        }

        /// <summary>Runs <paramref name="start"/> on the namespace's thread and returns what it started.</summary>
        public Task<T> StartAsync<T>(Func<Task<T>> start)
        {
            var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                _work.Add(() =>
                {
                    try
                    {
                        started.SetResult(start());
                    }
                    catch (Exception e)
                    {
                        started.SetException(e);
                    }
                });
            }
            catch (InvalidOperationException)
            {
                throw new ObjectDisposedException(nameof(NetworkNamespaceThread));
            }

            return started.Task.Unwrap();
        }

        /// <summary>Ends the thread, so it no longer holds the namespace.</summary>
        public void Dispose()
        {
            _work.CompleteAdding();
            if (Thread.CurrentThread != _thread)
            {
                _thread.Join();
            }
        }

        private void Run(string namespacePath, TaskCompletionSource entered)
        {
            try
            {
                using SafeFileHandle handle = File.OpenHandle(namespacePath, FileMode.Open, FileAccess.Read);
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns into {namespacePath} failed: {Marshal.GetLastPInvokeErrorMessage()}");
                }
            }
            catch (Exception e)
            {
                entered.SetException(e);
                return;
            }

            entered.SetResult();
            foreach (Action action in _work.GetConsumingEnumerable())
            {
                action();
            }
        }
    }
}
