using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// A single lost echo is not a verdict: the echo goes out again, spaced across the same timeout, each try waiting
    /// until the one deadline. A path that answers any of them answers; a silent path costs no more than one timeout.
    /// </summary>
    internal static class SilentPathRetry
    {
        /// <summary>How many echoes a silent path gets within one timeout.</summary>
        public const int Tries = 3;

        /// <param name="send">Sends one echo that waits at most the given time for its answer.</param>
        /// <param name="delay">Waits between tries (Task.Delay; a test passes one that does not wait).</param>
        /// <returns>The first answer (or the first try's silence) and how many tries were sent.</returns>
        public static async Task<(T Outcome, int Sent)> RunAsync<T>(
            Func<TimeSpan, CancellationToken, Task<T>> send,
            Func<T, bool> answered,
            TimeSpan budget,
            Func<TimeSpan, CancellationToken, Task> delay,
            CancellationToken cancellationToken,
            int tries = Tries)
        {
            TimeSpan spacing = budget / Math.Max(1, tries);
            var pending = new List<Task<T>>();
            Task<T>? first = null;
            int sent = 0;
            for (int i = 0; i < tries; i++)
            {
                if (i > 0)
                {
                    Task wait = delay(spacing, cancellationToken);
                    while (true)
                    {
                        Task done = await Task.WhenAny(pending.Cast<Task>().Append(wait)).ConfigureAwait(false);
                        if (done == wait)
                        {
                            await wait.ConfigureAwait(false);
                            break;
                        }

                        var echo = (Task<T>)done;
                        pending.Remove(echo);
                        if (answered(await echo.ConfigureAwait(false)))
                        {
                            return (echo.Result, sent);
                        }
                    }
                }

                Task<T> next = send(budget - (spacing * i), cancellationToken);
                first ??= next;
                pending.Add(next);
                sent++;
            }

            while (pending.Count > 0)
            {
                Task<T> done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                if (answered(await done.ConfigureAwait(false)))
                {
                    return (done.Result, sent);
                }
            }

            return (await first!.ConfigureAwait(false), sent);
        }
    }
}
