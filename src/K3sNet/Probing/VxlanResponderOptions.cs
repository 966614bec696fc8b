using System;
using System.Net;

namespace K3sNet.Probing
{
    /// <summary>How a <see cref="VxlanResponder"/> listens and how much it answers.</summary>
    internal sealed record VxlanResponderOptions
    {
        public IPAddress BindAddress { get; init; } = IPAddress.Any;

        /// <summary>The UDP port; 0 lets the kernel choose (tests).</summary>
        public int Port { get; init; } = 8472;

        public int Vni { get; init; } = 1;

        /// <summary>Stop after this long; null runs until cancelled.</summary>
        public TimeSpan? Duration { get; init; }

        /// <summary>
        /// Probes one source may send in a burst. A Test-K3sVxlan -Probe run sends at most a few dozen to a node
        /// (loss probes, then the MTU search), so this never limits a real client.
        /// </summary>
        public double BurstPerSource { get; init; } = 128;

        /// <summary>Probes per second one source may send once its burst is spent.</summary>
        public double RatePerSource { get; init; } = 64;

        /// <summary>
        /// The most source addresses the responder keeps a rate-limit bucket for, and counts in the summary's Sources:
        /// spoofed sources cannot grow either without bound. A real cluster is far smaller.
        /// </summary>
        public int MaxSources { get; init; } = 4096;
    }
}
