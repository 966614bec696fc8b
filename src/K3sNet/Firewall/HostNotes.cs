using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace K3sNet.Firewall
{
    /// <summary>What the host checks read, for the cmdlet's verbose story, and what they could not.</summary>
    internal static class HostNotes
    {
        public static IEnumerable<string> Describe(HostNetworkState host)
        {
            string rp = string.Join(", ", host.RpFilter.Select(p => $"{p.Key} {p.Value.ToString(CultureInfo.InvariantCulture)}"));
            string bridge = host.Bridge is BridgeState b
                ? $"{b.Name} {(b.Up ? "up" : "down")} with {(b.Addresses.Count == 0 ? "no IPv4 address" : string.Join(", ", b.Addresses))}"
                : $"no {HostPacketClasses.Bridge} (no pod has started here: the pod-path checks are skipped)";
            string rulesets = host.Rulesets.Count == 0
                ? "no ruleset read"
                : string.Join(" and ", host.Rulesets.Select(r => $"{r.Source} ({r.Chains.Count.ToString(CultureInfo.InvariantCulture)} chains)"));
            yield return $"Host: ip_forward {host.IpForward?.ToString(CultureInfo.InvariantCulture) ?? "unreadable"}; rp_filter {(rp.Length == 0 ? "unreadable" : rp)}; {bridge}; firewall: {rulesets}.";
            foreach (string skipped in host.Skipped)
            {
                yield return skipped + " Its checks are skipped.";
            }
        }
    }
}
