using System;

namespace K3sNet.Icmp
{
    /// <summary>
    /// What one ICMP echo (or TCP connect) saw: an answer and its round trip, or silence and why; or that it could not
    /// be sent as asked at all (<see cref="CannotSend"/>: busybox ping has no DF), which says nothing about the path.
    /// </summary>
    internal readonly record struct EchoOutcome(bool Answered, TimeSpan RoundTrip, string? Failure)
    {
        /// <summary>The echo was never sent: the sender cannot send it as asked (<see cref="Failure"/> says why). Not a silence.</summary>
        public bool CannotSend { get; init; }

        public static EchoOutcome NotSendable(string why) => new(false, TimeSpan.Zero, why) { CannotSend = true };

        public static EchoOutcome Reply(TimeSpan roundTrip) => new(true, roundTrip, null);

        public static EchoOutcome Silence(string failure) => new(false, TimeSpan.Zero, failure);
    }
}
