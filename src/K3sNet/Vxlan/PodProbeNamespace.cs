using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.Icmp;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// A short-lived network namespace standing in for a pod on cni0, so the echo to a peer takes the pods' own way:
    /// veth → cni0 → FORWARD → flannel.1 out, flannel.1 → FORWARD → cni0 back. The node's own echo is locally
    /// generated and never crosses FORWARD, so it cannot show what a host firewall, ip_forward or cni0 do to pods; a
    /// namespace of its own does, without touching any pod. One per run, removed on success, failure and Ctrl+C; a
    /// name carrying the process id lets a later run remove one a killed run left.
    /// </summary>
    internal sealed class PodProbeNamespace : IDisposable
    {
        private const string NetnsDirectory = "/run/netns";
        private const string HostLocalIpamDirectory = "/var/lib/cni/networks/cbr0";
        private static readonly TimeSpan ArpCheckTimeout = TimeSpan.FromMilliseconds(300);

        private readonly NetworkNamespaceThread _thread;
        private readonly IcmpEchoSender _icmp = new(IcmpSocketKind.Raw);
        private int _removed;

        private PodProbeNamespace(string name, string veth, string bridge, IPAddress address, NetworkNamespaceThread thread)
        {
            Name = name;
            Veth = veth;
            Bridge = bridge;
            Address = address;
            _thread = thread;
        }

        public string Name { get; }

        public string Veth { get; }

        public string Bridge { get; }

        /// <summary>The probe's eth0 address, in this node's podCIDR.</summary>
        public IPAddress Address { get; }

        /// <summary>
        /// Removes what killed runs left, then creates the probe namespace on <paramref name="bridge"/>; null with why
        /// not (no cni0, no privilege, no free address) in <paramref name="notes"/>, which also says what was removed.
        /// </summary>
        public static async Task<PodProbeNamespace?> CreateAsync(BridgeState? bridge, string? podCidr, IcmpEchoSender hostIcmp, List<string> notes, CancellationToken cancellationToken)
        {
            if (bridge is null)
            {
                notes.Add($"No pod-path probe: there is no {HostPacketClasses.Bridge} (no pod has started on this node).");
                return null;
            }

            if (MissingCapabilities() is string missing)
            {
                notes.Add($"No pod-path probe: a probe network namespace on {bridge.Name} needs {missing} (run as root).");
                return null;
            }

            await RemoveLeftoversAsync(notes, cancellationToken).ConfigureAwait(false);
            string? gatewayWithPrefix = bridge.Addresses.FirstOrDefault(a => podCidr is null || HostPacketClasses.NetworkOf(a) == HostPacketClasses.NetworkOf(podCidr));
            if (podCidr is null || gatewayWithPrefix is null)
            {
                notes.Add($"No pod-path probe: {bridge.Name} has no address in this node's podCIDR ({podCidr ?? "unknown"}) to route the probe by.");
                return null;
            }

            string gateway = gatewayWithPrefix[..gatewayWithPrefix.IndexOf('/')];
            string prefix = gatewayWithPrefix[(gatewayWithPrefix.IndexOf('/') + 1)..];
            IPAddress? address = await ChooseAddressAsync(bridge, podCidr, hostIcmp, cancellationToken).ConfigureAwait(false);
            if (address is null)
            {
                notes.Add($"No pod-path probe: none of the top {PodProbeAddress.MaxTried} addresses of {podCidr} is free on {bridge.Name}.");
                return null;
            }

            (string name, string veth) = PodProbeNames.For(Environment.ProcessId);
            string mtu = ReadMtu(bridge.Name);
            string addressText = address.ToString();
            // No cancellation from here: a half-built namespace is removed below, whatever stops the build.
            string[][] steps =
            [
                ["netns", "add", name],
                ["link", "add", veth, "mtu", mtu, "type", "veth", "peer", "name", "eth0", "netns", name],
                ["-n", name, "link", "set", "eth0", "mtu", mtu, "up"],
                ["-n", name, "addr", "add", $"{addressText}/{prefix}", "dev", "eth0"],
                ["-n", name, "route", "add", "default", "via", gateway, "dev", "eth0"],
                ["link", "set", veth, "master", bridge.Name, "up"],
            ];
            NetworkNamespaceThread? thread = null;
            try
            {
                foreach (string[] step in steps)
                {
                    (_, string? failure) = await HostTool.RunAsync("ip", CancellationToken.None, step).ConfigureAwait(false);
                    if (failure is not null)
                    {
                        notes.Add($"No pod-path probe: {failure}.");
                        await RemoveAsync(name, veth, bridge.Name, address).ConfigureAwait(false);
                        return null;
                    }
                }

                thread = await NetworkNamespaceThread.EnterAsync(Path.Combine(NetnsDirectory, name)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                notes.Add($"No pod-path probe: {e.Message}");
                await RemoveAsync(name, veth, bridge.Name, address).ConfigureAwait(false);
                return null;
            }

            notes.Add($"Pod-path probe: network namespace {name} on {bridge.Name} (veth {veth}), eth0 {addressText}/{prefix} (MTU {mtu}), default route via {gateway}; it is removed when the test ends.");
            return new PodProbeNamespace(name, veth, bridge.Name, address, thread);
        }

        /// <summary>An echo from inside the namespace: its socket is created on the namespace's thread.</summary>
        public Task<EchoOutcome> EchoAsync(IPAddress destination, int packetSize, TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                return _thread.StartAsync(() => _icmp.EchoAsync(destination, packetSize, dontFragment: false, timeout, cancellationToken));
            }
            catch (ObjectDisposedException)
            {
                // Removed under it: the test was stopped.
                return Task.FromResult(EchoOutcome.Silence("the probe namespace was removed"));
            }
        }

        /// <summary>Removes the namespace, its veth and cni0's neighbour entry for its address; once, whoever calls first.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _removed, 1) == 1)
            {
                return;
            }

            _thread.Dispose();
            RemoveAsync(Name, Veth, Bridge, Address).GetAwaiter().GetResult();
        }

        /// <summary>Whatever of it exists goes: deleting one end of a veth deletes both, the namespace's name goes with netns del.</summary>
        private static async Task RemoveAsync(string name, string veth, string bridge, IPAddress address)
        {
            await HostTool.RunAsync("ip", CancellationToken.None, "link", "del", veth).ConfigureAwait(false);
            await HostTool.RunAsync("ip", CancellationToken.None, "netns", "del", name).ConfigureAwait(false);
            // Else the next run would see the gone probe's MAC as a neighbour and refuse the address.
            await HostTool.RunAsync("ip", CancellationToken.None, "neigh", "del", address.ToString(), "dev", bridge).ConfigureAwait(false);
        }

        /// <summary>Probe namespaces and veths whose process is gone: a run killed before it could remove them.</summary>
        private static async Task RemoveLeftoversAsync(List<string> notes, CancellationToken cancellationToken)
        {
            IEnumerable<string> namespaces = Directory.Exists(NetnsDirectory)
                ? Directory.EnumerateFiles(NetnsDirectory).Select(Path.GetFileName).OfType<string>()
                : [];
            foreach (string name in namespaces)
            {
                if (PodProbeNames.ProcessOfNamespace(name) is int pid && !IsRunning(pid))
                {
                    (_, string? failure) = await HostTool.RunAsync("ip", cancellationToken, "netns", "del", name).ConfigureAwait(false);
                    notes.Add(failure is null ? $"Removed the probe namespace {name}, left by a run (process {pid}) that ended before it could." : $"Could not remove the leftover probe namespace {name}: {failure}.");
                }
            }

            (string? links, _) = await HostTool.RunAsync("ip", cancellationToken, "-j", "link", "show", "type", "veth").ConfigureAwait(false);
            foreach (string veth in IpJson.ReadLinkNames(links ?? string.Empty))
            {
                if (PodProbeNames.ProcessOfVeth(veth) is int pid && !IsRunning(pid))
                {
                    (_, string? failure) = await HostTool.RunAsync("ip", cancellationToken, "link", "del", veth).ConfigureAwait(false);
                    notes.Add(failure is null ? $"Removed the probe veth {veth}, left by a run (process {pid}) that ended before it could." : $"Could not remove the leftover probe veth {veth}: {failure}.");
                }
            }
        }

        /// <summary>
        /// The first candidate nothing claims: no neighbour entry with a link-layer address on cni0, no host-local IPAM
        /// reservation, not cni0's own; and, with cni0 up, no answer to ARP (an echo to it from here resolves it first).
        /// </summary>
        private static async Task<IPAddress?> ChooseAddressAsync(BridgeState bridge, string podCidr, IcmpEchoSender hostIcmp, CancellationToken cancellationToken)
        {
            var taken = new HashSet<IPAddress>();
            (string? neighbours, _) = await HostTool.RunAsync("ip", cancellationToken, "-j", "-4", "neigh", "show", "dev", bridge.Name).ConfigureAwait(false);
            taken.UnionWith(ResolvedNeighbours(neighbours));
            taken.UnionWith(bridge.Addresses.Select(a => IPAddress.TryParse(a.Split('/')[0], out IPAddress? own) ? own : null).OfType<IPAddress>());
            if (Directory.Exists(HostLocalIpamDirectory))
            {
                taken.UnionWith(Directory.EnumerateFiles(HostLocalIpamDirectory).Select(f => IPAddress.TryParse(Path.GetFileName(f), out IPAddress? reserved) ? reserved : null).OfType<IPAddress>());
            }

            foreach (IPAddress candidate in PodProbeAddress.Candidates(podCidr, taken))
            {
                if (!bridge.Up)
                {
                    // Nothing answers ARP on a bridge that is down, and the route to the podCIDR is gone with it.
                    return candidate;
                }

                EchoOutcome echo = await hostIcmp.EchoAsync(candidate, IcmpEchoSender.MinimumPacketSize, dontFragment: false, ArpCheckTimeout, cancellationToken).ConfigureAwait(false);
                (string? entry, _) = await HostTool.RunAsync("ip", cancellationToken, "-j", "-4", "neigh", "show", candidate.ToString(), "dev", bridge.Name).ConfigureAwait(false);
                if (!echo.Answered && !ResolvedNeighbours(entry).Contains(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        /// <summary>Addresses in `ip -j neigh` output that have a link-layer address (a FAILED or INCOMPLETE entry has none).</summary>
        public static IReadOnlyList<IPAddress> ResolvedNeighbours(string? json) =>
            IpJson.ReadNeighbours(json ?? string.Empty)
                .Where(n => n.LinkLayerAddress is not null)
                .Select(n => IPAddress.TryParse(n.Address, out IPAddress? address) ? address : null)
                .OfType<IPAddress>()
                .ToList();

        private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

        private static string ReadMtu(string device)
        {
            try
            {
                return File.ReadAllText($"/sys/class/net/{device}/mtu").Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "1450";
            }
        }

        /// <summary>CAP_NET_ADMIN (veth, addresses), CAP_SYS_ADMIN (netns, setns) and CAP_NET_RAW (the echo's raw socket in the new namespace); null when all are effective.</summary>
        private static string? MissingCapabilities()
        {
            string? status = null;
            try
            {
                status = File.ReadAllText("/proc/self/status");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_NET_RAW";
            }

            string? line = status.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong effective))
            {
                return "CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_NET_RAW";
            }

            var missing = new[] { (12, "CAP_NET_ADMIN"), (21, "CAP_SYS_ADMIN"), (13, "CAP_NET_RAW") }
                .Where(c => (effective & (1UL << c.Item1)) == 0).Select(c => c.Item2).ToList();
            return missing.Count == 0 ? null : string.Join(" and ", missing);
        }
    }
}
