using System;
using System.Collections.Generic;

namespace K3sNet
{
    /// <summary>
    /// What Start-K3sVxlanResponder did while it ran: how many datagrams arrived, how many valid K3sNet probes it
    /// answered, and how many it dropped, by reason.
    /// </summary>
    public sealed class VxlanResponderSummary
    {
        /// <summary>The address the responder listened on (0.0.0.0 for every IPv4 address).</summary>
        public string BindAddress { get; set; } = string.Empty;

        /// <summary>The UDP port the responder listened on.</summary>
        public int Port { get; set; }

        /// <summary>The VNI whose probes it answered.</summary>
        public int Vni { get; set; }

        public DateTimeOffset StartTime { get; set; }

        /// <summary>How long it listened.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>Datagrams received.</summary>
        public long Received { get; set; }

        /// <summary>Valid probes answered, each with a reply of the same length.</summary>
        public long Answered { get; set; }

        /// <summary>Datagrams not answered, whatever the reason (rate limit included).</summary>
        public long Dropped { get; set; }

        /// <summary>Valid probes not answered because their source exceeded the rate limit.</summary>
        public long RateLimited { get; set; }

        /// <summary>Replies the kernel refused to send (for example larger than the path MTU with DF set).</summary>
        public long SendFailed { get; set; }

        /// <summary>Distinct source addresses whose probes were answered, counted up to 4,096.</summary>
        public int Sources { get; set; }

        /// <summary>Dropped datagrams by reason (NotVxlan, WrongVni, NotAProbe, RateLimited, …); only reasons seen.</summary>
        public IReadOnlyDictionary<string, long> DroppedByReason { get; set; } = new Dictionary<string, long>();

        public override string ToString() => $"UDP {Port}: {Answered} answered, {Dropped} dropped";
    }
}
