using System.Collections.Generic;
using System.Linq;
using System.Net;
using K3sNet.Vxlan;

namespace K3sNet.Firewall
{
    /// <summary>What the node the test runs on must be to carry a peer's VXLAN and its pods' traffic.</summary>
    /// <param name="UnderlayDevice">flannel.1's lower device (eth0), where the peers' VXLAN arrives.</param>
    /// <param name="LocalPodCidr">This node's podCIDR: from its annotations, else from cni0's address.</param>
    internal sealed record HostContext(
        string LocalName,
        IPAddress? LocalUnderlay,
        string? UnderlayDevice,
        string VxlanDevice,
        string? LocalPodCidr,
        int Port);

    /// <summary>
    /// Judges, for one peer, this node's own part of the path (pure): its ruleset for the peer's UDP 8472 in INPUT and
    /// for pod traffic forwarded both ways between cni0 and flannel.1; ip_forward; rp_filter on the underlay and on
    /// flannel.1 against the route back; cni0 up and holding its podCIDR's gateway. The pod-path checks need cni0:
    /// without it no pod runs here yet, and there is no pod traffic to judge.
    /// </summary>
    internal static class HostPathCheck
    {
        public static IReadOnlyList<HostFinding> Check(HostNetworkState state, HostContext context, VxlanPeer peer)
        {
            var findings = new List<HostFinding>();
            string local = context.LocalName;
            string clusterCidr = HostPacketClasses.ClusterCidr(context.LocalPodCidr);

            if (context.UnderlayDevice is string underlay && context.LocalUnderlay is not null && peer.UnderlayAddress is not null)
            {
                PacketClass vxlan = HostPacketClasses.VxlanIn(underlay, peer.UnderlayAddress, context.LocalUnderlay, peer.Name, context.Port);
                Firewall(state, vxlan, HostProblem.FirewallDropsVxlan, local, clusterCidr, findings);
                ReversePath(state, underlay, peer.UnderlayAddress, $"{peer.Name}'s VXLAN from {peer.UnderlayAddress}", HostProblem.RpFilterUnderlay, local, findings);
            }

            BridgeState? bridge = state.Bridge;
            if (bridge is null)
            {
                return findings;
            }

            if (!bridge.Up)
            {
                findings.Add(new HostFinding(HostProblem.BridgeDown,
                    $"{bridge.Name} on {local} is down: pods on {local} reach nothing beyond their own node.",
                    $"Run 'ip link set {bridge.Name} up' on {local}; if it goes down again, restart k3s there."));
            }

            string? gateway = HostPacketClasses.PodAddress(context.LocalPodCidr, 1) is IPAddress g ? $"{g}/{PrefixLength(context.LocalPodCidr!)}" : null;
            if (gateway is not null && !bridge.Addresses.Contains(gateway))
            {
                string has = bridge.Addresses.Count == 0 ? "no IPv4 address" : string.Join(", ", bridge.Addresses);
                findings.Add(new HostFinding(HostProblem.BridgeAddress,
                    $"{bridge.Name} on {local} has {has}, but {local}'s podCIDR {context.LocalPodCidr} needs {gateway}: pods get no working gateway (the node's podCIDR changed, often after it rejoined).",
                    $"Run 'ip link delete {bridge.Name}' on {local} and restart k3s there, so flannel recreates it with {gateway}."));
            }

            if (state.IpForward == 0)
            {
                findings.Add(new HostFinding(HostProblem.IpForwardOff,
                    $"net.ipv4.ip_forward is 0 on {local}: the kernel forwards nothing between {bridge.Name} and {context.VxlanDevice}, so pods on {local} cannot reach other nodes.",
                    $"Run 'sysctl -w net.ipv4.ip_forward=1' on {local}, and persist it with 'net.ipv4.ip_forward=1' in /etc/sysctl.d/90-k3s.conf (something turned off what k3s set at start)."));
            }

            IPAddress? localPod = HostPacketClasses.PodAddress(context.LocalPodCidr);
            IPAddress? peerPod = HostPacketClasses.PodAddress(peer.PodCidr);
            if (localPod is null || peerPod is null)
            {
                return findings;
            }

            PodsBothWays(state, localPod, peerPod, peer.Name, context, clusterCidr, findings);
            ReversePath(state, context.VxlanDevice, peerPod, $"{peer.Name}'s pods ({peer.PodCidr})", HostProblem.RpFilterOverlay, local, findings);
            return findings;
        }

        /// <summary>
        /// Pod traffic both ways; when one chain drops both directions (a FORWARD policy, usually), one finding says so,
        /// with both commands in one remedy.
        /// </summary>
        private static void PodsBothWays(HostNetworkState state, IPAddress localPod, IPAddress peerPod, string peer, HostContext context, string clusterCidr, List<HostFinding> findings)
        {
            PacketClass outward = HostPacketClasses.PodsOut(localPod, peerPod, peer, context.VxlanDevice);
            PacketClass inward = HostPacketClasses.PodsIn(peerPod, localPod, peer, context.VxlanDevice);
            RulesetOutcome? outDrop = Dropping(state, outward);
            RulesetOutcome? inDrop = Dropping(state, inward);
            if (outDrop is not null && inDrop is not null && outDrop.Where == inDrop.Where && outDrop.Decision == inDrop.Decision)
            {
                findings.Add(new HostFinding(HostProblem.FirewallDropsPods,
                    $"{context.LocalName}'s own firewall {Verb(outDrop)} pod traffic between {HostPacketClasses.Bridge} and {context.VxlanDevice} both ways ({localPod} to and from {peer}'s pod {peerPod}): {outDrop.Where}{Origin(outDrop)}.",
                    FirewallRemedy.ForBoth(outDrop, inDrop, clusterCidr)));
                return;
            }

            Firewall(state, outward, HostProblem.FirewallDropsPods, context.LocalName, clusterCidr, findings);
            Firewall(state, inward, HostProblem.FirewallDropsPods, context.LocalName, clusterCidr, findings);
        }

        private static RulesetOutcome? Dropping(HostNetworkState state, PacketClass packet) =>
            state.Rulesets.Select(r => RulesetJudge.Judge(r, packet))
                .FirstOrDefault(o => o.Decision is FirewallDecision.Drop or FirewallDecision.Reject && o.Origin != FirewallOrigin.K3s);

        private static string Verb(RulesetOutcome outcome) =>
            outcome.Decision == FirewallDecision.Drop ? "drops" : $"rejects ({outcome.RejectType ?? "REJECT"})";

        private static string Origin(RulesetOutcome outcome) =>
            outcome.Origin is FirewallOrigin o ? $" ({FirewallRemedy.Describe(o)})" : string.Empty;

        /// <summary>Every ruleset must accept: the first that drops or rejects is the finding; an undetermined one is a note.</summary>
        private static void Firewall(HostNetworkState state, PacketClass packet, HostProblem problem, string local, string clusterCidr, List<HostFinding> findings)
        {
            RulesetOutcome? undetermined = null;
            foreach (FirewallRuleset ruleset in state.Rulesets)
            {
                RulesetOutcome outcome = RulesetJudge.Judge(ruleset, packet);
                if (outcome.Decision is FirewallDecision.Drop or FirewallDecision.Reject && outcome.Origin != FirewallOrigin.K3s)
                {
                    findings.Add(new HostFinding(problem,
                        $"{local}'s own firewall {Verb(outcome)} {packet.Description}: {outcome.Where}{Origin(outcome)}.",
                        FirewallRemedy.For(outcome, clusterCidr)));
                    return;
                }

                // k3s's own rules are never blamed: a drop there (kube-proxy's, flannel's) is noted, not judged.
                if (outcome.Decision != FirewallDecision.Accept)
                {
                    undetermined ??= outcome;
                }
            }

            if (undetermined is not null)
            {
                findings.Add(new HostFinding(HostProblem.FirewallUndetermined,
                    $"Whether {local}'s own firewall lets {packet.Description} through could not be judged: {undetermined.Where}.",
                    null));
            }
        }

        /// <summary>Strict rp_filter (1) drops a packet whose source's route back leaves by another device than it came in.</summary>
        private static void ReversePath(HostNetworkState state, string device, IPAddress source, string what, HostProblem problem, string local, List<HostFinding> findings)
        {
            if (state.EffectiveRpFilter(device) != 1)
            {
                return;
            }

            RouteEntry? back = RouteLookup.Find(state.Routes, source);
            if (back?.Device is not string backDevice || backDevice == device)
            {
                return;
            }

            bool all = state.RpFilter.TryGetValue("all", out int allValue) && allValue == 1;
            findings.Add(new HostFinding(problem,
                $"rp_filter is strict (1) on {device} on {local}, and the route back to {source} leaves by {backDevice}, not {device}: the kernel drops {what} as spoofed.",
                $"Run 'sysctl -w net.ipv4.conf.{device}.rp_filter=2'{(all ? " and 'sysctl -w net.ipv4.conf.all.rp_filter=2' (the kernel applies the larger of the two)" : string.Empty)} on {local}, " +
                $"and persist it in /etc/sysctl.d/90-k3s.conf; or route {source} back through {device}."));
        }

        private static string PrefixLength(string cidr) => cidr.Contains('/') ? cidr[(cidr.IndexOf('/') + 1)..] : "32";
    }
}
