using System;

namespace K3sNet.Probing
{
    /// <summary>
    /// A token bucket: holds up to <c>capacity</c> tokens, refills at <c>ratePerSecond</c>, and each probe answered takes
    /// one. A client's MTU search bursts, then goes quiet, which the capacity absorbs; a flood does not.
    /// </summary>
    internal sealed class TokenBucket
    {
        private readonly double _capacity;
        private readonly double _ratePerTick;
        private double _tokens;
        private long _lastTimestamp;

        public TokenBucket(double capacity, double ratePerSecond, long now, long ticksPerSecond)
        {
            _capacity = capacity;
            _ratePerTick = ratePerSecond / ticksPerSecond;
            _tokens = capacity;
            _lastTimestamp = now;
        }

        /// <summary>Whether the bucket has refilled completely by <paramref name="now"/>: its source has gone quiet and can be forgotten.</summary>
        public bool IsFull(long now) => Math.Min(_capacity, _tokens + ((now - _lastTimestamp) * _ratePerTick)) >= _capacity;

        public bool TryTake(long now)
        {
            _tokens = Math.Min(_capacity, _tokens + ((now - _lastTimestamp) * _ratePerTick));
            _lastTimestamp = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
