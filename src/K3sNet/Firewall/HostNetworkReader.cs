using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Vxlan;

namespace K3sNet.Firewall
{
    /// <summary>Reads <see cref="HostNetworkState"/> from /proc/sys, iproute2, nft and iptables-legacy-save.</summary>
    internal static class HostNetworkReader
    {
        public static async Task<HostNetworkState> ReadAsync(string? underlayDevice, string vxlanDevice, CancellationToken cancellationToken)
        {
            var skipped = new List<string>();
            Task<(string?, string?)> bridge = HostTool.RunAsync("ip", cancellationToken, "-j", "-4", "addr", "show", "dev", HostPacketClasses.Bridge);
            Task<(string?, string?)> routes = HostTool.RunAsync("ip", cancellationToken, "-j", "-4", "route", "show", "table", "main");
            Task<(string?, string?)> nftJson = HostTool.RunAsync("nft", cancellationToken, "-j", "list", "ruleset");
            Task<(string?, string?)> nftText = HostTool.RunAsync("nft", cancellationToken, "-a", "list", "ruleset");
            await Task.WhenAll(bridge, routes, nftJson, nftText).ConfigureAwait(false);

            var rulesets = new List<FirewallRuleset>();
            if (nftJson.Result.Item1 is string json)
            {
                rulesets.Add(NftJson.Read(json, nftText.Result.Item1));
            }
            else
            {
                skipped.Add($"The nftables ruleset (which also holds iptables-nft's rules) was not read: {nftJson.Result.Item2}.");
            }

            // Only where the legacy tables are loaded: running iptables-legacy-save elsewhere would load them.
            if (ReadProc("/proc/net/ip_tables_names") is string names && names.Split('\n').Contains("filter"))
            {
                (string? save, string? failure) = await HostTool.RunAsync("iptables-legacy-save", cancellationToken, "-t", "filter").ConfigureAwait(false);
                if (save is not null)
                {
                    rulesets.Add(IptablesSave.Read(save));
                }
                else
                {
                    skipped.Add($"The legacy iptables rules were not read: {failure}.");
                }
            }

            var rpFilter = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string device in new[] { "all", "default", underlayDevice, vxlanDevice, HostPacketClasses.Bridge }.OfType<string>().Distinct())
            {
                if (Sysctl($"net/ipv4/conf/{device}/rp_filter") is int value)
                {
                    rpFilter[device] = value;
                }
            }

            return new HostNetworkState
            {
                IpForward = Sysctl("net/ipv4/ip_forward"),
                RpFilter = rpFilter,
                Bridge = bridge.Result.Item1 is string b ? ReadBridge(b) : null,
                Routes = IpJson.ReadRoutes(routes.Result.Item1 ?? "[]"),
                Rulesets = rulesets,
                Skipped = skipped,
            };
        }

        /// <summary>cni0 from `ip -j -4 addr show dev cni0`; null when the output names no device.</summary>
        public static BridgeState? ReadBridge(string json) =>
            IpJson.ReadAddresses(json) is var (name, up, addresses) ? new BridgeState(name, up, addresses) : null;

        private static int? Sysctl(string path) =>
            ReadProc("/proc/sys/" + path) is string text && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

        private static string? ReadProc(string path)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
