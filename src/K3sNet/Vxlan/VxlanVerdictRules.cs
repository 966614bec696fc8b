using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using K3sNet.Firewall;
using K3sNet.Packets;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Turns what was measured about a path into its verdict and a reason a person can act on. Pure: every rule here
    /// is unit-tested without a network.
    /// </summary>
    internal static class VxlanVerdictRules
    {
        public static (VxlanVerdict Verdict, string Reason, string? Remedy) Judge(PeerObservation o)
        {
            string peer = o.Peer.Name;
            string source = o.SourceName;
            string underlay = o.Peer.UnderlayAddress?.ToString() ?? "its underlay address";
            string port = o.Port.ToString(CultureInfo.InvariantCulture);
            var findings = o.DeviceFindings.Concat(o.PeerFindings).ToList();

            if (o.Peer.VtepAddress is null)
            {
                return (VxlanVerdict.NotTested,
                    $"{peer}'s VTEP address is unknown: no annotation names it and {o.DeviceName} has no entry for {underlay}.",
                    $"Pipe {peer}'s K3sNode from Get-K3sNode, or give -VtepAddress (the base address of its pod subnet, such as 10.42.1.0).");
            }

            if (o.Overlay == PathState.NotTested || (o.Overlay == PathState.Silent && o.Underlay == PathState.NotTested && o.Peer.UnderlayAddress is not null))
            {
                // A probe that was never judged (the node too busy to run it in time) is no evidence either way.
                string reason = o.Overlay == PathState.NotTested
                    ? $"The echo through VXLAN to {peer} could not be judged: {o.OverlayDetail?.TrimEnd('.')}."
                    : $"{peer} does not answer through VXLAN, and whether it answers on {underlay} could not be judged ({o.UnderlayDetail}).";
                return (VxlanVerdict.NotTested,
                    reason,
                    $"Run the test again when {source} is less busy, or with a longer -TimeoutSeconds.");
            }

            if (o.Overlay == PathState.Silent && o.Underlay == PathState.Silent)
            {
                string reason = $"{peer} answers neither on {underlay} ({o.UnderlayDetail ?? "ICMP echo and TCP 10250 silent"}) nor through VXLAN: " +
                    $"the node is down, {underlay} is not reachable from {source}, or {peer}'s security group drops ICMP, TCP 10250 and UDP {port} alike.";
                return (VxlanVerdict.NodeUnreachable, WithDns(reason, o),
                    $"Check that {peer} is running and that {underlay} is its current address; then check the route and the network ACLs between {source} and {peer}.");
            }

            if (findings.Count > 0)
            {
                string effect = o.Overlay == PathState.Silent ? $" Traffic through VXLAN to {peer} is lost." : string.Empty;
                string remedy = o.DeviceFindings.Count > 0
                    ? $"Restart k3s on {source} so flannel recreates {o.DeviceName} from its configuration; if the annotation is what is wrong, fix the node's flannel options and restart k3s there."
                    : $"Restart k3s on {source} so flannel reprograms {o.DeviceName}'s entries for {peer}; if {peer}'s annotations are what changed wrongly, restart k3s on {peer}.";
                return (VxlanVerdict.Misconfigured, WithDns(string.Join(" ", findings) + effect, o), remedy);
            }

            // This node's own rules keep the peer's VXLAN from arriving: that, not a security group, silences the echo.
            HostFinding? arrival = o.HostFindings.FirstOrDefault(f => f.SilencesOverlay);
            if (o.Overlay == PathState.Silent && arrival is not null)
            {
                string answers = o.Underlay == PathState.Answered ? $"{peer} answers on {underlay}, but its VXLAN never reaches {o.DeviceName} here." : $"Its VXLAN never reaches {o.DeviceName} here.";
                return (arrival.IsFirewall ? VxlanVerdict.HostFirewall : VxlanVerdict.Misconfigured,
                    WithDns($"{arrival.Reason} {answers}", o),
                    arrival.Remedy);
            }

            if (o.Overlay == PathState.Silent && o.Underlay != PathState.Answered)
            {
                // Only an answering underlay tells a dropped UDP port from a node that is gone; without an address
                // for it there is nothing to judge by, and a VxlanBlocked here would send Grant to the wrong place.
                return (VxlanVerdict.NotTested,
                    $"{peer} does not answer through VXLAN, and its underlay address is unknown ({o.DeviceName} has no neighbour and fdb entry that lead from {o.Peer.VtepAddress} to one), " +
                    $"so a dropped UDP {port} cannot be told from a node that is down.",
                    $"Give {peer}'s underlay address: pipe its K3sNode from Get-K3sNode, or use -ComputerName <address> -VtepAddress {o.Peer.VtepAddress}.");
            }

            if (o.Overlay == PathState.Silent && o.SilentPeers is (int silent, int tested))
            {
                // Every path shares this node: its inbound UDP port dropping the replies explains them all at once.
                // Not proof: peers that share one group of their own (agents apart from the servers, a common layout)
                // look the same from here, so the reason says where to look next when this node's group admits it.
                string peers = silent == tested
                    ? "No peer answers through VXLAN while all answer on their underlay"
                    : $"No peer answers through VXLAN while {silent} of the {tested} answer on their underlay";
                string reason = $"{peers}: {source}'s own security group most likely drops inbound UDP {port} (the replies). " +
                    $"Allow inbound UDP {port} from the cluster's nodes in {source}'s security group; if it already does, the peers' groups drop it.";
                return (VxlanVerdict.VxlanBlocked, WithDns(reason, o),
                    $"Allow inbound UDP {port} to {source} from the cluster's nodes: their security group, or the VPC's private CIDR; never 0.0.0.0/0. Check the network ACLs and any host firewall (ufw, firewalld) on {source} too. " +
                    $"If {source} already admits it, allow it into the peers' groups (Test-K3sSecurityGroup names them).");
            }

            if (o.Overlay == PathState.Silent)
            {
                // The peer's kernel answers the echo with a new VXLAN datagram to this node's UDP port (its source
                // port is a flow hash, not the request's port reversed), so no stateful group or conntrack lets it
                // back in as a reply: the echo needs the port open inbound on both nodes, and either may drop it.
                string reason = $"UDP {port} between {source} and {peer} is dropped: {peer} answers on {underlay} but not through VXLAN. " +
                    $"Allow inbound UDP {port} from the cluster's nodes in {peer}'s security group and in {source}'s (the echo goes one way, its reply the other).";
                return (VxlanVerdict.VxlanBlocked, WithDns(reason, o),
                    $"Allow inbound UDP {port} to {peer} and to {source} from the cluster's nodes: their security group, or the VPC's private CIDR; never 0.0.0.0/0. Check the network ACLs and any host firewall (ufw, firewalld) on both too.");
            }

            // The node's echo crossed, but pods' traffic takes cni0 → FORWARD → flannel.1, and this node stops it there.
            var podPath = PodPathFindings(o);
            if (o.Overlay == PathState.Answered && podPath.Count > 0)
            {
                string reason = $"{peer} answers through VXLAN, but pods on {source} cannot use the path: {string.Join(" ", podPath.Select(f => f.Reason))}";
                if (o.PodEcho == PathState.Silent && podPath[0].Problem != HostProblem.PodPathLost)
                {
                    reason += $" An echo from a probe pod on {HostPacketClasses.Bridge} ({o.PodProbeAddress}) to {peer}'s VTEP {o.Peer.VtepAddress} was lost too.";
                }

                if (o.Peer.HostsClusterDns)
                {
                    reason += $" CoreDNS runs on {peer}, so pods on {source} cannot resolve names.";
                }

                return (podPath[0].IsFirewall ? VxlanVerdict.HostFirewall : VxlanVerdict.Misconfigured,
                    reason,
                    string.Join(" ", podPath.Select(f => f.Remedy).OfType<string>().Distinct()));
            }

            if (o.Overlay == PathState.Answered && o.FullSizePassed == false)
            {
                string largest = o.PathMtu is int mtu ? $"packets up to {mtu} bytes" : "small packets";
                int underlayNeeded = o.DeviceMtu + VxlanFrame.EncapsulationOverhead;
                string reason = $"{char.ToUpperInvariant(largest[0])}{largest[1..]} reach {peer} through VXLAN, but {o.DeviceMtu}-byte packets are dropped without an error: " +
                    $"the underlay between {source} and {peer} does not carry {underlayNeeded}-byte packets. TLS handshakes and large responses stall.";
                string remedy = o.PathMtu is int pathMtu
                    ? $"Raise the underlay MTU on the path to at least {underlayNeeded}, or lower the MTU of {o.DeviceName} and the pods' interfaces to {pathMtu}."
                    : $"Raise the underlay MTU on the path to at least {underlayNeeded}, or lower flannel's MTU.";
                return (VxlanVerdict.MtuBlackhole, reason, remedy);
            }

            if (o.ChecksumOffloadBugApplies == true)
            {
                return (VxlanVerdict.ChecksumOffload,
                    $"{o.DeviceName} has tx checksum offload on, and kernel {o.KernelRelease} corrupts the checksums of VXLAN-encapsulated UDP with it: " +
                    $"echoes to {peer} pass, but Service traffic and DNS hang.",
                    $"Run 'ethtool -K {o.DeviceName} tx-checksum-ip-generic off' on {source} and persist it with a udev rule, or move to a fixed kernel (5.7 or later).");
            }

            string rtt = o.RoundTripMs is double ms ? string.Create(CultureInfo.InvariantCulture, $" in {ms:0.###} ms") : string.Empty;
            string size = o.PathMtu is int passed ? $"; {passed}-byte packets pass" : string.Empty;
            return (VxlanVerdict.Healthy, $"{peer} answers through VXLAN{rtt}{size}.", null);
        }

        /// <summary>
        /// What stops pods on this node from using a path whose node echo crosses. The probe pod's echo is evidence: lost
        /// with nothing to explain it, it is a finding of its own; answered, it overrules what the kernel settings and
        /// cni0 predicted (a sysctl or device read wrongly). A firewall finding stands: the judge rules on UDP (DNS),
        /// and a firewall may pass the ICMP echo while it drops that (ufw's before-forward accepts echo requests).
        /// </summary>
        public static IReadOnlyList<HostFinding> PodPathFindings(PeerObservation o)
        {
            var podPath = o.HostFindings.Where(f => !f.SilencesOverlay && f.Problem != HostProblem.FirewallUndetermined).OrderBy(f => f.IsFirewall ? 0 : 1).ToList();
            if (o.PodEcho == PathState.Answered)
            {
                return podPath.Where(f => f.IsFirewall).ToList();
            }

            if (o.PodEcho == PathState.Silent && o.Overlay == PathState.Answered && podPath.Count == 0)
            {
                string source = o.SourceName;
                string bridge = HostPacketClasses.Bridge;
                podPath.Add(new HostFinding(HostProblem.PodPathLost,
                    $"an echo from a probe pod on {bridge} ({o.PodProbeAddress}) to {o.Peer.Name}'s VTEP {o.Peer.VtepAddress} was lost, though {source}'s own echo crosses: " +
                    $"{source} drops its pods' traffic between {bridge} and {o.DeviceName}, by no rule or setting the host checks identified.",
                    $"On {source}, look for what drops forwarded traffic between {bridge} and {o.DeviceName}: 'iptables-legacy-save' and 'nft list ruleset' (rules K3sNet could not read or judge), " +
                    $"'sysctl net.ipv4.ip_forward net.ipv4.conf.{o.DeviceName}.rp_filter', 'ip rule' (a policy route that blackholes what comes in on {bridge}), and 'ip -d link show {bridge}'."));
            }

            return podPath;
        }

        private static string WithDns(string reason, PeerObservation o) =>
            o.Peer.HostsClusterDns && o.Overlay != PathState.Answered
                ? $"{reason} CoreDNS runs on {o.Peer.Name}, so pods on {o.SourceName} cannot resolve names."
                : reason;
    }
}
