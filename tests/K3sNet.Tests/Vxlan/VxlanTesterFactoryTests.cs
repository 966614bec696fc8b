using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Icmp;
using K3sNet.Probing;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class VxlanTesterFactoryTests
    {
        private static readonly KernelState Flannel = new(
            new FlannelDevice("flannel.1", "02:00:00:00:00:01", 1450, 1, 8472, "10.0.1.10", "eth0", false),
            1500, Array.Empty<NeighbourEntry>(), Array.Empty<FdbEntry>(), Array.Empty<RouteEntry>(), true, null, "6.8.0");

        private static readonly VxlanTestOptions Options = new() { Port = 18472, Vni = 7 };

        private static Task<KernelState?> Reads(KernelState? state) => Task.FromResult(state);

        private static IcmpEchoSender RawSocket() => new(IcmpSocketKind.Raw);

        private static IcmpEchoSender NoIcmp() => throw new IcmpNotPermittedException("Cannot send ICMP echoes: not root.", null);

        private static Task<VxlanTesterCreation> Create(bool probe, bool isLinux, Func<string, CancellationToken, Task<KernelState?>> read, Func<IcmpEchoSender> openIcmp) =>
            new VxlanTesterFactory(isLinux, read, openIcmp).CreateAsync(probe, Options, CancellationToken.None);

        [Fact]
        public async Task Kernel_mode_reads_flannel_1_and_tests_through_it_with_the_ICMP_socket_it_may_open()
        {
            string? readDevice = null;
            VxlanTesterCreation creation = await Create(false, true, (device, _) => { readDevice = device; return Reads(Flannel); }, RawSocket);
            Assert.Equal("flannel.1", readDevice);
            Assert.IsType<KernelPathTester>(creation.Tester);
            Assert.Null(creation.Failure);
            Assert.StartsWith("flannel.1: VNI 1, port 8472, local 10.0.1.10, MTU 1450 on eth0 (MTU 1500)", creation.Notes[0]);
            Assert.Equal("ICMP echoes use the Raw socket.", creation.Notes[1]);
        }

        [Fact]
        public async Task Kernel_mode_off_Linux_fails_before_reading_anything()
        {
            bool read = false;
            VxlanTesterCreation creation = await Create(false, false, (_, _) => { read = true; return Reads(Flannel); }, RawSocket);
            Assert.Equal(VxlanTesterProblem.KernelModeNeedsLinux, creation.Failure?.Problem);
            Assert.Null(creation.Tester);
            Assert.False(read);
        }

        [Fact]
        public async Task Kernel_mode_without_iproute2_fails_naming_the_missing_tool()
        {
            var missing = new FileNotFoundException("'ip' is not installed.", "ip");
            VxlanTesterCreation creation = await Create(false, true, (_, _) => Task.FromException<KernelState?>(missing), RawSocket);
            Assert.Equal(new VxlanTesterFailure(VxlanTesterProblem.IprouteNotFound, "ip", missing), creation.Failure);
            Assert.Null(creation.Tester);
        }

        [Fact]
        public async Task Kernel_mode_on_a_host_without_flannel_1_fails_naming_the_device()
        {
            VxlanTesterCreation creation = await Create(false, true, (_, _) => Reads(null), RawSocket);
            Assert.Equal(new VxlanTesterFailure(VxlanTesterProblem.FlannelDeviceNotFound, "flannel.1", null), creation.Failure);
            Assert.Empty(creation.Notes);
        }

        [Fact]
        public async Task Kernel_mode_without_an_ICMP_socket_fails_after_telling_what_it_read()
        {
            VxlanTesterCreation creation = await Create(false, true, (_, _) => Reads(Flannel), NoIcmp);
            Assert.Equal(VxlanTesterProblem.IcmpNotPermitted, creation.Failure?.Problem);
            Assert.IsType<IcmpNotPermittedException>(creation.Failure?.Cause);
            Assert.Null(creation.Tester);
            Assert.StartsWith("flannel.1: VNI 1", Assert.Single(creation.Notes));
        }

        [Fact]
        public async Task Probe_mode_needs_neither_Linux_nor_flannel_1_nor_an_ICMP_socket()
        {
            bool read = false;
            VxlanTesterCreation creation = await Create(true, false, (_, _) => { read = true; return Reads(null); }, NoIcmp);
            Assert.IsType<ProbePathTester>(creation.Tester);
            Assert.Null(creation.Failure);
            Assert.False(read);
            Assert.Equal(
                "Probe mode, UDP 18472, VNI 7; no ICMP socket (Cannot send ICMP echoes: not root.), so the underlay check is TCP 10250 alone.",
                Assert.Single(creation.Notes));
        }

        [Fact]
        public async Task Probe_mode_uses_the_ICMP_socket_for_the_underlay_when_it_may()
        {
            VxlanTesterCreation creation = await Create(true, true, (_, _) => Reads(null), RawSocket);
            Assert.IsType<ProbePathTester>(creation.Tester);
            Assert.Equal("Probe mode, UDP 18472, VNI 7; underlay ICMP echoes use the Raw socket.", Assert.Single(creation.Notes));
        }
    }
}
