using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.Icmp;
using K3sNet.Probing;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// The one place Test-K3sVxlan chooses how to test. Kernel mode (the default): through the local flannel.1, which
    /// needs Linux, iproute2, the device itself and an ICMP socket. Probe mode: K3sNet's own RFC 7348 frames to
    /// Start-K3sVxlanResponder, which need none of these. What it asks of the host comes in through the constructor;
    /// <see cref="ForThisHost"/> gives the real ones.
    /// </summary>
    internal sealed class VxlanTesterFactory
    {
        private readonly bool _isLinux;
        private readonly Func<string, CancellationToken, Task<KernelState?>> _readKernelState;
        private readonly Func<IcmpEchoSender> _openIcmp;
        private readonly Func<string?, string, CancellationToken, Task<HostNetworkState>>? _readHostState;

        /// <param name="isLinux">Whether this host is Linux, the only one with a kernel flannel.1.</param>
        /// <param name="readKernelState">Reads a device's state: null when there is no such VXLAN device, FileNotFoundException when iproute2 is missing.</param>
        /// <param name="openIcmp">Opens the ICMP socket this user may use, or throws <see cref="IcmpNotPermittedException"/>.</param>
        /// <param name="readHostState">Reads this node's forwarding and firewall state (underlay device, VXLAN device); null skips the host checks.</param>
        public VxlanTesterFactory(
            bool isLinux,
            Func<string, CancellationToken, Task<KernelState?>> readKernelState,
            Func<IcmpEchoSender> openIcmp,
            Func<string?, string, CancellationToken, Task<HostNetworkState>>? readHostState = null)
        {
            _isLinux = isLinux;
            _readKernelState = readKernelState;
            _openIcmp = openIcmp;
            _readHostState = readHostState;
        }

        public static VxlanTesterFactory ForThisHost() => new(OperatingSystem.IsLinux(), KernelStateReader.ReadAsync, IcmpEchoSender.Open, HostNetworkReader.ReadAsync);

        /// <param name="probe">Probe mode rather than kernel mode.</param>
        /// <param name="options">The test's options; probe mode names their port and VNI in its notes.</param>
        public async Task<VxlanTesterCreation> CreateAsync(bool probe, VxlanTestOptions options, CancellationToken cancellationToken) =>
            probe ? CreateProbeTester(options) : await CreateKernelTesterAsync(cancellationToken).ConfigureAwait(false);

        private VxlanTesterCreation CreateProbeTester(VxlanTestOptions options)
        {
            try
            {
                IcmpEchoSender icmp = _openIcmp();
                return VxlanTesterCreation.Made(
                    new ProbePathTester(icmp),
                    new[] { $"Probe mode, UDP {options.Port}, VNI {options.Vni}; underlay ICMP echoes use the {icmp.Kind} socket." });
            }
            catch (IcmpNotPermittedException e)
            {
                // The probes themselves are plain UDP; only the underlay check loses its echo, and TCP 10250 remains.
                return VxlanTesterCreation.Made(
                    new ProbePathTester(null),
                    new[] { $"Probe mode, UDP {options.Port}, VNI {options.Vni}; no ICMP socket ({e.Message}), so the underlay check is TCP {UnderlayCheck.KubeletPort} alone." });
            }
        }

        /// <summary>The verbose note on a node's flannel.1: what kernel mode found there (and what it could not read).</summary>
        public static string Describe(KernelState state) =>
            $"{state.Device.Name}: VNI {state.Device.Vni}, port {state.Device.Port}, local {state.Device.LocalAddress}, MTU {state.Device.Mtu} on {state.Device.LowerDevice} (MTU {state.LowerDeviceMtu}); " +
            $"{Count(state.Neighbours.Count, state.NeighboursUnread)} neighbour, {Count(state.Fdb.Count, state.FdbUnread)} fdb and {Count(state.Routes.Count, state.RoutesUnread)} route entries; " +
            $"tx checksum offload {(state.TxChecksumOffload?.ToString() ?? state.TxChecksumOffloadFailure)}.";

        private static string Count(int count, string? unread) => unread is null ? count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unread";

        private async Task<VxlanTesterCreation> CreateKernelTesterAsync(CancellationToken cancellationToken)
        {
            var notes = new List<string>();
            string device = KernelStateReader.FlannelDeviceName;
            if (!_isLinux)
            {
                return VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.KernelModeNeedsLinux, null, null), notes);
            }

            KernelState? state;
            try
            {
                state = await _readKernelState(device, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException e)
            {
                return VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.IprouteNotFound, e.FileName, e), notes);
            }

            if (state is null)
            {
                return VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.FlannelDeviceNotFound, device, null), notes);
            }

            notes.Add(Describe(state));
            HostNetworkState? host = null;
            if (_readHostState is not null)
            {
                host = await _readHostState(state.Device.LowerDevice, device, cancellationToken).ConfigureAwait(false);
                notes.AddRange(HostNotes.Describe(host));
            }

            try
            {
                IcmpEchoSender icmp = _openIcmp();
                notes.Add($"ICMP echoes use the {icmp.Kind} socket.");
                return VxlanTesterCreation.Made(new KernelPathTester(state, icmp, host, probePods: host is not null), notes);
            }
            catch (IcmpNotPermittedException e)
            {
                return VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.IcmpNotPermitted, null, e), notes);
            }
        }
    }
}
