using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.NodeAccess;
using K3sNet.Vxlan;

namespace K3sNet.Firewall
{
    /// <summary>Reads <see cref="HostNetworkState"/> from /proc/sys, iproute2, nft and iptables-legacy-save, on a node's <see cref="INodeShell"/>.</summary>
    internal static class HostNetworkReader
    {
        /// <summary>This host's state.</summary>
        public static Task<HostNetworkState> ReadAsync(string? underlayDevice, string vxlanDevice, CancellationToken cancellationToken) =>
            ReadAsync(LocalNodeShell.Instance, underlayDevice, vxlanDevice, cancellationToken);

        /// <summary>A node's state through its shell: what cannot be read is in <see cref="HostNetworkState.Skipped"/>, never a guess.</summary>
        public static async Task<HostNetworkState> ReadAsync(INodeShell shell, string? underlayDevice, string vxlanDevice, CancellationToken cancellationToken)
        {
            var skipped = new List<string>();
            Task<HostToolRun> bridge = shell.RunAsync("ip", new[] { "-j", "-4", "addr", "show", "dev", HostPacketClasses.Bridge }, cancellationToken);
            Task<HostToolRun> routes = shell.RunAsync("ip", new[] { "-j", "-4", "route", "show", "table", "main" }, cancellationToken);
            Task<HostToolRun> nftJson = shell.RunAsync("nft", new[] { "-j", "list", "ruleset" }, cancellationToken);
            Task<HostToolRun> nftText = shell.RunAsync("nft", new[] { "-a", "list", "ruleset" }, cancellationToken);
            Task<string?> legacyNames = shell.ReadFileAsync("/proc/net/ip_tables_names", cancellationToken);
            string[] rpDevices = new[] { "all", "default", underlayDevice, vxlanDevice, HostPacketClasses.Bridge }.OfType<string>().Distinct().ToArray();
            Task<int?> ipForward = SysctlAsync(shell, "net/ipv4/ip_forward", cancellationToken);
            Task<int?[]> rpValues = Task.WhenAll(rpDevices.Select(device => SysctlAsync(shell, $"net/ipv4/conf/{device}/rp_filter", cancellationToken)));
            await Task.WhenAll(bridge, routes, nftJson, nftText, legacyNames, ipForward, rpValues).ConfigureAwait(false);

            var rulesets = new List<FirewallRuleset>();
            if (nftJson.Result.Output is string json)
            {
                rulesets.Add(NftJson.Read(json, nftText.Result.Output));
            }
            else
            {
                skipped.Add($"The nftables ruleset (which also holds iptables-nft's rules) was not read: {nftJson.Result.Failure}.");
            }

            // Only where the legacy tables are loaded: running iptables-legacy-save elsewhere would load them.
            if (legacyNames.Result is string names && names.Split('\n').Contains("filter"))
            {
                HostToolRun save = await shell.RunAsync("iptables-legacy-save", new[] { "-t", "filter" }, cancellationToken).ConfigureAwait(false);
                if (save.Output is not null)
                {
                    rulesets.Add(IptablesSave.Read(save.Output));
                }
                else
                {
                    skipped.Add($"The legacy iptables rules were not read: {save.Failure}.");
                }
            }

            if (routes.Result.Output is null)
            {
                skipped.Add($"The main routing table was not read, so rp_filter's route back is not checked: {routes.Result.Failure}.");
            }

            // `ip` says "does not exist" for a node with no pod yet (no cni0): that is an answer, anything else is not.
            if (bridge.Result.Output is null && bridge.Result.Failure?.Contains("does not exist", StringComparison.Ordinal) != true)
            {
                skipped.Add($"{HostPacketClasses.Bridge} was not read: {bridge.Result.Failure}.");
            }

            if (ipForward.Result is null)
            {
                skipped.Add("net.ipv4.ip_forward was not read, so forwarding is not checked.");
            }

            var rpFilter = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < rpDevices.Length; i++)
            {
                if (rpValues.Result[i] is int value)
                {
                    rpFilter[rpDevices[i]] = value;
                }
            }

            return new HostNetworkState
            {
                IpForward = ipForward.Result,
                RpFilter = rpFilter,
                Bridge = bridge.Result.Output is string b ? ReadBridge(b) : null,
                Routes = IpJson.ReadRoutes(routes.Result.Output ?? "[]"),
                Rulesets = rulesets,
                Skipped = skipped,
            };
        }

        /// <summary>cni0 from `ip -j -4 addr show dev cni0`; null when the output names no device.</summary>
        public static BridgeState? ReadBridge(string json) =>
            IpJson.ReadAddresses(json) is var (name, up, addresses) ? new BridgeState(name, up, addresses) : null;

        private static async Task<int?> SysctlAsync(INodeShell shell, string path, CancellationToken cancellationToken) =>
            await shell.ReadFileAsync("/proc/sys/" + path, cancellationToken).ConfigureAwait(false) is string text
                && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
    }
}
