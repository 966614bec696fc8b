using System;
using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>An input and the instance EC2 knows it as, or null when no instance in the account and region matches.</summary>
    internal sealed record NodeMatch(NodeInput Input, Ec2Instance? Instance)
    {
        /// <summary>The instance's state when it is not running (its rules are judged, but it sends and receives nothing).</summary>
        public string? NotRunningState => Instance?.State is string state && state != "running" ? state : null;

        /// <summary>
        /// When no instance was chosen: every instance that has the input's private address. Two or more means the
        /// address is ambiguous (VPCs that overlap), not missing.
        /// </summary>
        public IReadOnlyList<string> SameAddress { get; init; } = Array.Empty<string>();
    }
}
