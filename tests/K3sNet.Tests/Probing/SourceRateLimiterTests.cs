using System.Net;
using K3sNet.Probing;

namespace K3sNet.Tests.Probing
{
    /// <summary>The responder's per-source table under a spray of spoofed addresses: bounded, and fair to known sources.</summary>
    public sealed class SourceRateLimiterTests
    {
        private const long TicksPerSecond = 1000;

        private static IPAddress Spoofed(int i) => new(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i });

        [Fact]
        public void A_spray_of_new_sources_never_grows_the_table_past_its_limit()
        {
            var limiter = new SourceRateLimiter(capacity: 128, ratePerSecond: 64, TicksPerSecond, maxSources: 100);
            int admitted = 0;
            // Every spoofed source is new, and all arrive within one tick: none of their buckets has refilled.
            for (int i = 0; i < 10_000; i++)
            {
                admitted += limiter.TryAdmit(Spoofed(i), now: 5) ? 1 : 0;
            }

            Assert.Equal(100, limiter.TrackedSources);
            Assert.Equal(100, admitted);
        }

        [Fact]
        public void A_known_source_keeps_its_bucket_while_the_table_is_full()
        {
            var limiter = new SourceRateLimiter(capacity: 2, ratePerSecond: 1, TicksPerSecond, maxSources: 3);
            var client = IPAddress.Parse("10.0.1.10");
            Assert.True(limiter.TryAdmit(client, now: 0));
            for (int i = 1; i <= 50; i++)
            {
                limiter.TryAdmit(Spoofed(i), now: 0);
            }

            Assert.True(limiter.TryAdmit(client, now: 0));
            Assert.False(limiter.TryAdmit(client, now: 0)); // its burst of 2 is spent: the limit still holds
        }

        [Fact]
        public void Sources_that_went_quiet_make_room_for_new_ones()
        {
            var limiter = new SourceRateLimiter(capacity: 2, ratePerSecond: 1, TicksPerSecond, maxSources: 3);
            for (int i = 0; i < 3; i++)
            {
                Assert.True(limiter.TryAdmit(Spoofed(i), now: 0));
            }

            var newcomer = IPAddress.Parse("10.0.1.11");
            Assert.False(limiter.TryAdmit(newcomer, now: 500)); // the others' buckets are half refilled
            Assert.True(limiter.TryAdmit(newcomer, now: 2_000)); // full again: those sources are forgotten
            Assert.Equal(1, limiter.TrackedSources);
        }

        [Fact]
        public void A_full_table_is_swept_at_most_once_per_interval()
        {
            var limiter = new SourceRateLimiter(capacity: 2, ratePerSecond: 1, TicksPerSecond, maxSources: 3);
            for (int i = 0; i < 3; i++)
            {
                limiter.TryAdmit(Spoofed(i), now: 0);
            }

            Assert.False(limiter.TryAdmit(IPAddress.Parse("10.0.1.11"), now: 950)); // swept: no bucket has refilled yet
            // At 1,000 ticks every bucket is full again, but the last sweep was less than 100 ms ago.
            Assert.False(limiter.TryAdmit(IPAddress.Parse("10.0.1.12"), now: 1_000));
            Assert.True(limiter.TryAdmit(IPAddress.Parse("10.0.1.12"), now: 1_050));
        }
    }
}
