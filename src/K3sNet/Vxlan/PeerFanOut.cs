using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Tests every peer, a bounded number at once, and streams each result the moment it is ready, so the cmdlet writes
    /// it (and its progress) while slower peers still wait out their timeouts. Both testers run their peers this way.
    /// </summary>
    internal static class PeerFanOut
    {
        public static async IAsyncEnumerable<T> RunAsync<T>(
            IReadOnlyList<VxlanPeer> peers,
            int maxConcurrency,
            Func<VxlanPeer, Task<T>> testPeer,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var finished = Channel.CreateUnbounded<T>();
            // Not disposed: a caller that stops early (Ctrl+C) leaves tests that still release it as they unwind.
            var slots = new SemaphoreSlim(Math.Max(1, maxConcurrency));
            Task all = Task.WhenAll(peers.Select(async peer =>
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    finished.Writer.TryWrite(await testPeer(peer).ConfigureAwait(false));
                }
                finally
                {
                    slots.Release();
                }
            }));
            _ = all.ContinueWith(t => finished.Writer.TryComplete(t.Exception?.InnerException), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            await foreach (T result in finished.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return result;
            }

            await all.ConfigureAwait(false);
        }
    }
}
