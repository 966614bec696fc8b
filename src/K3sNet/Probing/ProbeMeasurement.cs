using System.Collections.Generic;

namespace K3sNet.Probing
{
    /// <summary>What probing one peer measured, before it is judged.</summary>
    internal sealed record ProbeMeasurement
    {
        /// <summary>The local underlay address probes left from; null when no socket could be opened.</summary>
        public string? LocalAddress { get; init; }

        /// <summary>Why no probe could be sent (for example: no route), or null.</summary>
        public string? SendFailure { get; init; }

        public bool UnderlayAnswered { get; init; }

        /// <summary>Small probes sent to measure loss and round trip, and how many came back.</summary>
        public int Sent { get; init; }

        public int Received { get; init; }

        /// <summary>Round trips of the small probes that came back, in milliseconds.</summary>
        public IReadOnlyList<double> RoundTripsMs { get; init; } = [];

        /// <summary>The peer's kernel answered ICMP port unreachable: nothing listens on the port.</summary>
        public bool PortUnreachable { get; init; }

        /// <summary>The largest inner packet tried: the local interface's MTU less VXLAN's 50 bytes, as flannel.1's MTU.</summary>
        public int LargestTried { get; init; }

        /// <summary>The largest inner IPv4 packet that came back with DF set, or null when none did.</summary>
        public int? PathMtu { get; init; }

        public bool Answered => Received > 0 || PathMtu is not null;
    }
}
