using System.Collections.Generic;

namespace K3sNet.Aws
{
    /// <summary>
    /// What planning a grant found that the user should hear about, in the order it found it. Grant-K3sNodeTraffic turns
    /// each kind into its error, warning or verbose line; the planner only decides.
    /// </summary>
    internal abstract record GrantNote
    {
        private GrantNote()
        {
        }

        /// <summary>No instance has the request's destination address, so no group can be chosen: the request is dropped.</summary>
        internal sealed record DestinationNotFound(TrafficRequest Request) : GrantNote;

        /// <summary>
        /// Several instances have the request's destination address (VPCs that overlap) and none is in the cluster's VPC,
        /// so no group can be chosen: the request is dropped.
        /// </summary>
        internal sealed record DestinationAmbiguous(TrafficRequest Request, IReadOnlyList<string> InstanceIds) : GrantNote;

        /// <summary>The group the request names (or its destination's group) does not exist: the request is dropped.</summary>
        internal sealed record SecurityGroupNotFound(string GroupId) : GrantNote;

        /// <summary>
        /// The destination's instance carries several groups (or the default group too), and <paramref name="Choice"/>
        /// says which one changes and why.
        /// </summary>
        internal sealed record GroupChosen(string InstanceId, GroupChoice Choice) : GrantNote;

        /// <summary>
        /// No group can be chosen for <paramref name="InstanceId"/> (as destination, or as <paramref name="Source"/>):
        /// several are equally narrow, or only the VPC's default group is there. The request is dropped.
        /// </summary>
        internal sealed record GroupNotChosen(TrafficRequest Request, string InstanceId, GroupChoice Choice, bool Source) : GrantNote;

        /// <summary>The source address is <paramref name="InstanceId"/>'s private address, so its group is admitted.</summary>
        internal sealed record SourceGroupChosen(string Address, string InstanceId, string GroupId, string Why = "") : GrantNote;

        /// <summary>The source's groups would admit more than the cluster, so its address alone is admitted.</summary>
        internal sealed record SourceAddressChosen(string Address, string InstanceId, string Why) : GrantNote;

        /// <summary>
        /// More than <see cref="GrantPlanner.MaxSourcesPerRule"/> sources of one port into one group became
        /// <paramref name="Sources"/>: one CIDR (or a few, never wider than the VPC) or the prefix list the user named.
        /// </summary>
        internal sealed record SourcesConsolidated(string GroupId, string Port, int Replaced, IReadOnlyList<string> Sources, string Why) : GrantNote;

        /// <summary>The request names no source at all, so the group admits its own members.</summary>
        internal sealed record OwnGroupChosen(TrafficRequest Request, string GroupId) : GrantNote;

        /// <summary>A port that may face the internet is opened to 0.0.0.0/0 or ::/0.</summary>
        internal sealed record WorldOpened(TrafficRequest Request, string Source) : GrantNote;

        /// <summary>A cluster-only port is opened to the world because -Force and -SourceCidr say so.</summary>
        internal sealed record WorldForced(TrafficRequest Request, string Source) : GrantNote;

        /// <summary>A cluster-only port would face the world without -Force and that explicit CIDR: that rule is left out.</summary>
        internal sealed record WorldRefused(TrafficRequest Request, string Source) : GrantNote;
    }
}
