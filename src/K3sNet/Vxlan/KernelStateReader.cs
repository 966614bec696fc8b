using System.IO;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.NodeAccess;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Reads <see cref="KernelState"/> through iproute2 (see <see cref="IpJson"/> for why) on a node's
    /// <see cref="INodeShell"/>: this host's tools, or a cluster node's through its probe pod.
    /// </summary>
    internal static class KernelStateReader
    {
        /// <summary>The device flannel's vxlan backend creates for IPv4.</summary>
        public const string FlannelDeviceName = "flannel.1";

        /// <summary>This host's state (the tx checksum offload through the ethtool ioctl).</summary>
        public static Task<KernelState?> ReadAsync(string deviceName, CancellationToken cancellationToken) =>
            ReadAsync(LocalNodeShell.Instance, deviceName, cancellationToken);

        /// <summary>
        /// The state, or null when the node has no VXLAN device of that name. Throws FileNotFoundException when `ip` is
        /// missing. An entry list that cannot be read (`bridge` is not in k3s's own tools) is marked unread, not empty.
        /// </summary>
        public static async Task<KernelState?> ReadAsync(INodeShell shell, string deviceName, CancellationToken cancellationToken)
        {
            HostToolRun link = await RunIpAsync(shell, cancellationToken, "-j", "-d", "link", "show", "dev", deviceName).ConfigureAwait(false);
            FlannelDevice? device = link.Output is null ? null : IpJson.ReadDevice(link.Output);
            if (device is null || device.Vni is null)
            {
                return null;
            }

            Task<HostToolRun> lower = device.LowerDevice is null
                ? Task.FromResult(new HostToolRun(null, "no lower device", NotInstalled: false))
                : RunIpAsync(shell, cancellationToken, "-j", "link", "show", "dev", device.LowerDevice);
            Task<HostToolRun> neighbours = RunIpAsync(shell, cancellationToken, "-j", "-4", "neigh", "show", "dev", deviceName);
            Task<HostToolRun> fdb = shell.RunAsync("bridge", new[] { "-j", "fdb", "show", "dev", deviceName }, cancellationToken);
            Task<HostToolRun> routes = RunIpAsync(shell, cancellationToken, "-j", "-4", "route", "show", "dev", deviceName);
            Task<string?> release = shell.ReadFileAsync("/proc/sys/kernel/osrelease", cancellationToken);
            Task<(bool? On, string? Failure)> offload = ReadOffloadAsync(shell, deviceName, cancellationToken);
            await Task.WhenAll(lower, neighbours, fdb, routes, release, offload).ConfigureAwait(false);

            return new KernelState(
                device,
                lower.Result.Output is string lowerJson ? IpJson.ReadMtu(lowerJson) : null,
                IpJson.ReadNeighbours(neighbours.Result.Output ?? "[]"),
                IpJson.ReadFdb(fdb.Result.Output ?? "[]"),
                IpJson.ReadRoutes(routes.Result.Output ?? "[]"),
                offload.Result.On,
                offload.Result.Failure,
                release.Result?.Trim(),
                NeighboursUnread: neighbours.Result.Failure,
                FdbUnread: fdb.Result.NotInstalled ? "'bridge' from iproute2 is not installed on the node" : fdb.Result.Failure,
                RoutesUnread: routes.Result.Failure);
        }

        /// <summary>On this host the ioctl (no tool needed); on a node through its shell, `ethtool -k`.</summary>
        private static async Task<(bool?, string?)> ReadOffloadAsync(INodeShell shell, string deviceName, CancellationToken cancellationToken)
        {
            if (shell is LocalNodeShell)
            {
                bool? on = TxChecksumOffload.Read(deviceName, out string? failure);
                return (on, failure);
            }

            HostToolRun run = await shell.RunAsync("ethtool", new[] { "-k", deviceName }, cancellationToken).ConfigureAwait(false);
            if (run.Output is null)
            {
                return (null, run.NotInstalled ? "ethtool is not installed on the node" : run.Failure);
            }

            bool? parsed = TxChecksumOffload.ParseEthtoolFeatures(run.Output);
            return (parsed, parsed is null ? $"'ethtool -k {deviceName}' names no tx-checksumming feature" : null);
        }

        /// <summary>The run of `ip`: its output, or null output with its failure (no such device, for one); a missing `ip` throws.</summary>
        private static async Task<HostToolRun> RunIpAsync(INodeShell shell, CancellationToken cancellationToken, params string[] arguments)
        {
            HostToolRun run = await shell.RunAsync("ip", arguments, cancellationToken).ConfigureAwait(false);
            if (run.NotInstalled)
            {
                throw new FileNotFoundException($"'ip' from iproute2 is not installed on {shell.Description}: K3sNet reads flannel.1 and its entries with it.", "ip");
            }

            return run;
        }
    }
}
