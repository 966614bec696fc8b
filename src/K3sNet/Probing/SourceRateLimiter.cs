using System.Collections.Generic;
using System.Net;

namespace K3sNet.Probing
{
    /// <summary>
    /// One token bucket per source address, for at most <see cref="MaxSources"/> sources at once. When the table is
    /// full, buckets that have refilled (sources gone quiet) are dropped to make room, at most once per
    /// <see cref="PruneIntervalSeconds"/>; a new source that still finds no room is refused like one over its limit.
    /// So a spray of spoofed addresses costs bounded memory and bounded work per datagram, and it can only delay new
    /// sources, never let any source past its bucket.
    /// </summary>
    internal sealed class SourceRateLimiter
    {
        /// <summary>How often, at most, a full table is swept for idle buckets: the sweep walks every bucket.</summary>
        public const double PruneIntervalSeconds = 0.1;

        private readonly Dictionary<IPAddress, TokenBucket> _buckets = new();
        private readonly double _capacity;
        private readonly double _ratePerSecond;
        private readonly long _ticksPerSecond;
        private readonly long _pruneIntervalTicks;
        private long? _lastPrune;

        public SourceRateLimiter(double capacity, double ratePerSecond, long ticksPerSecond, int maxSources)
        {
            _capacity = capacity;
            _ratePerSecond = ratePerSecond;
            _ticksPerSecond = ticksPerSecond;
            _pruneIntervalTicks = (long)(ticksPerSecond * PruneIntervalSeconds);
            MaxSources = maxSources;
        }

        /// <summary>The most sources tracked at once.</summary>
        public int MaxSources { get; }

        public int TrackedSources => _buckets.Count;

        public bool TryAdmit(IPAddress source, long now)
        {
            if (!_buckets.TryGetValue(source, out TokenBucket? bucket))
            {
                if (_buckets.Count >= MaxSources && !TryMakeRoom(now))
                {
                    return false;
                }

                bucket = new TokenBucket(_capacity, _ratePerSecond, now, _ticksPerSecond);
                _buckets.Add(source, bucket);
            }

            return bucket.TryTake(now);
        }

        private bool TryMakeRoom(long now)
        {
            if (_lastPrune is long last && now - last < _pruneIntervalTicks)
            {
                return false;
            }

            _lastPrune = now;
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

            return _buckets.Count < MaxSources;
        }
    }
}
