using System;
using System.Globalization;
using System.Linq;
using K3sNet.Packets;
using K3sNet.Vxlan;

namespace K3sNet.Probing
{
    /// <summary>
    /// Turns what probing a peer measured into a verdict and the sentences a person acts on. Pure: the network work is
    /// done by then, so every verdict can be checked without one.
    /// </summary>
    internal static class ProbeVerdict
    {
        public static VxlanPathResult Judge(VxlanPeer peer, VxlanTestOptions options, ProbeMeasurement measurement)
        {
            string address = peer.UnderlayAddress?.ToString() ?? "(none)";
            var result = new VxlanPathResult
            {
                Source = options.LocalNodeName,
                Destination = peer.Name,
                SourceAddress = measurement.LocalAddress,
                DestinationAddress = peer.UnderlayAddress?.ToString(),
                VtepAddress = peer.VtepAddress?.ToString(),
                Protocol = TrafficProtocol.Udp,
                FromPort = options.Port,
                ToPort = options.Port,
                Underlay = measurement.SendFailure is not null ? PathState.NotTested : (measurement.UnderlayAnswered ? PathState.Answered : PathState.Silent),
                Overlay = measurement.Answered ? PathState.Answered : (measurement.PortUnreachable ? PathState.NotTested : PathState.Silent),
                PathMtu = measurement.PathMtu,
                RoundTripMs = Median(measurement),
            };

            int port = options.Port;
            if (measurement.SendFailure is not null)
            {
                result.Verdict = VxlanVerdict.NodeUnreachable;
                result.Overlay = PathState.NotTested;
                result.Reason = $"No probe can leave for {peer.Name} at {address}: {measurement.SendFailure}";
                result.Remedy = $"Check this host's routes to {address}, and that {address} is {peer.Name}'s address.";
                return result;
            }

            if (measurement.PortUnreachable && !measurement.Answered)
            {
                result.Verdict = VxlanVerdict.NotTested;
                result.Reason = $"{peer.Name} refuses UDP {port} (ICMP port unreachable): probes reach it, but no responder listens there.";
                result.Remedy = $"Run Start-K3sVxlanResponder -Port {port} on {peer.Name}, then test again.";
                return result;
            }

            if (!measurement.Answered)
            {
                if (measurement.UnderlayAnswered)
                {
                    result.Verdict = VxlanVerdict.VxlanBlocked;
                    result.Reason = $"UDP {port} to {peer.Name} is dropped: {peer.Name} answers on {address} but not to VXLAN probes ({measurement.Sent} sent, none answered).";
                    result.Remedy = $"Allow inbound UDP {port} from the cluster's nodes in {peer.Name}'s security group and host firewall, and check that Start-K3sVxlanResponder -Port {port} runs on {peer.Name}.";
                }
                else
                {
                    result.Verdict = VxlanVerdict.NodeUnreachable;
                    result.Reason = $"{peer.Name} does not answer on {address}: no ICMP echo, no TCP {UnderlayCheck.KubeletPort}, no VXLAN probe on UDP {port}.";
                    result.Remedy = $"Check that {peer.Name} is running and that {address} is reachable from this node (routes, network ACLs, the security group's ICMP and TCP {UnderlayCheck.KubeletPort} rules).";
                }

                return result;
            }

            string loss = measurement.Received == measurement.Sent
                ? string.Empty
                : string.Format(CultureInfo.InvariantCulture, " {0:0}% of small probes were lost.", 100.0 * (measurement.Sent - measurement.Received) / measurement.Sent);
            if (measurement.PathMtu is int mtu && mtu < measurement.LargestTried)
            {
                result.Verdict = VxlanVerdict.MtuBlackhole;
                result.Reason = $"VXLAN packets of up to {mtu} bytes reach {peer.Name}, {measurement.LargestTried}-byte ones vanish: a link on the path carries at most {mtu + VxlanFrame.EncapsulationOverhead}-byte packets and drops larger ones without a word.{loss}";
                result.Remedy = $"Raise the MTU of the path to {peer.Name} to {measurement.LargestTried + VxlanFrame.EncapsulationOverhead} bytes, or lower the cluster's MTU so flannel.1 carries at most {mtu} bytes.";
                return result;
            }

            result.Verdict = VxlanVerdict.Healthy;
            result.Reason = string.Format(
                CultureInfo.InvariantCulture,
                "{0} answers VXLAN probes on UDP {1} ({2} of {3}) and {4}-byte packets pass.{5}",
                peer.Name, port, measurement.Received, measurement.Sent, measurement.PathMtu ?? measurement.LargestTried, loss);
            return result;
        }

        private static double? Median(ProbeMeasurement measurement)
        {
            if (measurement.RoundTripsMs.Count == 0)
            {
                return null;
            }

            double[] sorted = measurement.RoundTripsMs.OrderBy(x => x).ToArray();
            double middle = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
            return Math.Round(middle, 3);
        }
    }
}
