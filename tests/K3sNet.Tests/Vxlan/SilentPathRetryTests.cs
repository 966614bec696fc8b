using System;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class SilentPathRetryTests
    {
        private static readonly Func<TimeSpan, CancellationToken, Task> NoWait = (_, _) => Task.CompletedTask;

        /// <summary>A path that answers from the n-th echo on (0: never), counting what was sent and how long each waited.</summary>
        private sealed class FakePath
        {
            private readonly int _answersFrom;

            public FakePath(int answersFrom) => _answersFrom = answersFrom;

            public int Sent { get; private set; }

            public TimeSpan LastWait { get; private set; }

            public Task<bool> EchoAsync(TimeSpan wait, CancellationToken cancellationToken)
            {
                Sent++;
                LastWait = wait;
                return Task.FromResult(_answersFrom > 0 && Sent >= _answersFrom);
            }
        }

        [Fact]
        public async Task A_silent_path_gets_every_try_within_one_timeout_before_it_is_judged()
        {
            var path = new FakePath(answersFrom: 0);
            (bool answered, int sent) = await SilentPathRetry.RunAsync(path.EchoAsync, a => a, TimeSpan.FromSeconds(3), NoWait, CancellationToken.None);
            Assert.False(answered);
            Assert.Equal(SilentPathRetry.Tries, sent);
            Assert.Equal(3, path.Sent);
            // The last try waits only what is left of the one timeout: the retries never lengthen the test.
            Assert.Equal(TimeSpan.FromSeconds(1), path.LastWait);
        }

        [Fact]
        public async Task One_lost_echo_is_not_a_verdict_the_second_answers()
        {
            var path = new FakePath(answersFrom: 2);
            (bool answered, int sent) = await SilentPathRetry.RunAsync(path.EchoAsync, a => a, TimeSpan.FromSeconds(3), NoWait, CancellationToken.None);
            Assert.True(answered);
            Assert.Equal(2, sent);
        }

        [Fact]
        public async Task An_answering_path_costs_one_echo()
        {
            var path = new FakePath(answersFrom: 1);
            (bool answered, int sent) = await SilentPathRetry.RunAsync(path.EchoAsync, a => a, TimeSpan.FromSeconds(3), NoWait, CancellationToken.None);
            Assert.True(answered);
            Assert.Equal(1, path.Sent);
            Assert.Equal(1, sent);
        }
    }
}
