using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Vxlan
{
    /// <summary>Reads <see cref="KernelState"/> through iproute2 (see <see cref="IpJson"/> for why) and the ethtool ioctl.</summary>
    internal static class KernelStateReader
    {
        /// <summary>The device flannel's vxlan backend creates for IPv4.</summary>
        public const string FlannelDeviceName = "flannel.1";

        /// <summary>
        /// The state, or null when this host has no VXLAN device of that name. Throws FileNotFoundException when
        /// iproute2 is missing.
        /// </summary>
        public static async Task<KernelState?> ReadAsync(string deviceName, CancellationToken cancellationToken)
        {
            string? linkJson = await RunAsync("ip", cancellationToken, "-j", "-d", "link", "show", "dev", deviceName).ConfigureAwait(false);
            FlannelDevice? device = linkJson is null ? null : IpJson.ReadDevice(linkJson);
            if (device is null || device.Vni is null)
            {
                return null;
            }

            Task<string?> lower = device.LowerDevice is null
                ? Task.FromResult<string?>(null)
                : RunAsync("ip", cancellationToken, "-j", "link", "show", "dev", device.LowerDevice);
            Task<string?> neighbours = RunAsync("ip", cancellationToken, "-j", "-4", "neigh", "show", "dev", deviceName);
            Task<string?> fdb = RunAsync("bridge", cancellationToken, "-j", "fdb", "show", "dev", deviceName);
            Task<string?> routes = RunAsync("ip", cancellationToken, "-j", "-4", "route", "show", "dev", deviceName);
            await Task.WhenAll(lower, neighbours, fdb, routes).ConfigureAwait(false);

            bool? offload = TxChecksumOffload.Read(deviceName, out string? offloadFailure);
            return new KernelState(
                device,
                lower.Result is null ? null : IpJson.ReadMtu(lower.Result),
                IpJson.ReadNeighbours(neighbours.Result ?? "[]"),
                IpJson.ReadFdb(fdb.Result ?? "[]"),
                IpJson.ReadRoutes(routes.Result ?? "[]"),
                offload,
                offloadFailure,
                ReadKernelRelease());
        }

        private static string? ReadKernelRelease()
        {
            try
            {
                return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>The tool's standard output, or null when it fails (no such device, for one); a missing tool throws.</summary>
        private static async Task<string?> RunAsync(string tool, CancellationToken cancellationToken, params string[] arguments)
        {
            Firewall.HostToolRun run = await Firewall.HostTool.ExecuteAsync(tool, cancellationToken, arguments).ConfigureAwait(false);
            if (run.NotInstalled)
            {
                throw new FileNotFoundException($"'{tool}' from iproute2 is not installed: K3sNet reads flannel.1 and its entries with it.", tool);
            }

            return run.Output;
        }
    }
}
