using System.Collections.Generic;
using System.Net;

namespace K3sNet.Probing
{
    /// <summary>
    /// One token bucket per source address. Buckets that have refilled are dropped once many sources are tracked, so a
    /// spray of spoofed addresses cannot grow the table without bound.
    /// </summary>
    internal sealed class SourceRateLimiter
    {
        private const int PruneAbove = 4096;
        private readonly Dictionary<IPAddress, TokenBucket> _buckets = new();
        private readonly double _capacity;
        private readonly double _ratePerSecond;
        private readonly long _ticksPerSecond;

        public SourceRateLimiter(double capacity, double ratePerSecond, long ticksPerSecond)
        {
            _capacity = capacity;
            _ratePerSecond = ratePerSecond;
            _ticksPerSecond = ticksPerSecond;
        }

        public int TrackedSources => _buckets.Count;

        public bool TryAdmit(IPAddress source, long now)
        {
            if (!_buckets.TryGetValue(source, out TokenBucket? bucket))
            {
                if (_buckets.Count >= PruneAbove)
                {
                    Prune(now);
                }

                bucket = new TokenBucket(_capacity, _ratePerSecond, now, _ticksPerSecond);
                _buckets.Add(source, bucket);
            }

            return bucket.TryTake(now);
        }

        private void Prune(long now)
        {
            var idle = new List<IPAddress>();
            foreach (KeyValuePair<IPAddress, TokenBucket> entry in _buckets)
            {
                if (entry.Value.IsFull(now))
                {
                    idle.Add(entry.Key);
                }
            }

            foreach (IPAddress address in idle)
            {
                _buckets.Remove(address);
            }
        }
    }
}
