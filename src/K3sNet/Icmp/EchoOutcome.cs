using System;

namespace K3sNet.Icmp
{
    /// <summary>What one ICMP echo (or TCP connect) saw: an answer and its round trip, or silence and why.</summary>
    internal readonly record struct EchoOutcome(bool Answered, TimeSpan RoundTrip, string? Failure)
    {
        public static EchoOutcome Reply(TimeSpan roundTrip) => new(true, roundTrip, null);

        public static EchoOutcome Silence(string failure) => new(false, TimeSpan.Zero, failure);
    }
}
