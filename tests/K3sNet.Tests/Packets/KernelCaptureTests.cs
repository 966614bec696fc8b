using System;
using System.IO;
using System.Net;
using K3sNet.Packets;

namespace K3sNet.Tests.Packets
{
    /// <summary>
    /// The codec against frames the Linux kernel built: a flannel-style flannel.1 encapsulating an ICMP echo and a UDP
    /// datagram to a peer's VTEP address, recorded whole (outer IPv4 + UDP + VXLAN) by Fixtures/Capture-KernelVxlanFrame.ps1.
    /// </summary>
    public sealed class KernelCaptureTests
    {
        private static readonly IPAddress SenderUnderlay = IPAddress.Parse("10.0.1.11");
        private static readonly IPAddress PeerUnderlay = IPAddress.Parse("10.0.1.12");
        private static readonly IPAddress SenderVtep = IPAddress.Parse("10.42.1.0");
        private static readonly IPAddress PeerVtep = IPAddress.Parse("10.42.2.0");

        private static byte[] Fixture(string name) =>
            Convert.FromHexString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Packets", "Fixtures", name)).Trim());

        /// <summary>Reads the outer IPv4 and UDP headers as the receiving node's kernel would, and returns the VXLAN packet.</summary>
        private static byte[] VxlanPayload(byte[] outer, out Ipv4Header ip, out UdpHeader udp)
        {
            Assert.True(Ipv4Header.TryRead(outer, out ip, out PacketError error), error.ToString());
            Assert.Equal(outer.Length, ip.TotalLength);
            byte[] datagram = outer.AsSpan(ip.HeaderLength).ToArray();
            Assert.True(UdpHeader.TryRead(datagram, ip.Source, ip.Destination, out udp, out error), error.ToString());
            return datagram.AsSpan(UdpHeader.HeaderLength).ToArray();
        }

        [Fact]
        public void Decodes_the_kernels_encapsulated_ICMP_echo()
        {
            byte[] outer = Fixture("kernel-vxlan-icmp-echo.hex");
            byte[] vxlan = VxlanPayload(outer, out Ipv4Header ip, out UdpHeader udp);
            Assert.Equal(Ipv4Header.ToNumber(SenderUnderlay), ip.Source);
            Assert.Equal(Ipv4Header.ToNumber(PeerUnderlay), ip.Destination);
            Assert.Equal(8472, udp.DestinationPort);
            Assert.True(udp.HasChecksum);

            Assert.True(VxlanFrame.TryDecode(vxlan, out VxlanFrame frame, out PacketError error), error.ToString());
            Assert.Equal(1, frame.Vxlan.Vni);
            Assert.True(frame.Vxlan.ReservedBitsClear);
            Assert.Equal("0a:58:0a:2a:02:00", frame.Ethernet.Destination.ToString());
            Assert.Equal("0a:58:0a:2a:01:00", frame.Ethernet.Source.ToString());
            Assert.Equal(Ipv4Header.ToNumber(SenderVtep), frame.Ipv4.Source);
            Assert.Equal(Ipv4Header.ToNumber(PeerVtep), frame.Ipv4.Destination);
            Assert.True(frame.IsIcmp);
            Assert.Equal(IcmpEcho.EchoRequestType, frame.Icmp.Type);
            Assert.Equal(0, frame.TrailingLength);
            Assert.Equal("K3sNet kernel VXLAN capture: ICMP echo", System.Text.Encoding.ASCII.GetString(vxlan, frame.PayloadOffset, frame.PayloadLength));
        }

        [Fact]
        public void Decodes_the_kernels_encapsulated_UDP_datagram()
        {
            byte[] vxlan = VxlanPayload(Fixture("kernel-vxlan-udp.hex"), out _, out _);
            Assert.True(VxlanFrame.TryDecode(vxlan, out VxlanFrame frame, out PacketError error), error.ToString());
            Assert.False(frame.IsIcmp);
            Assert.Equal(new UdpHeader(40000, 9000, frame.Ipv4.TotalLength - 20, HasChecksum: true), frame.Udp);
            Assert.Equal("K3sNet kernel VXLAN capture: UDP datagram", System.Text.Encoding.ASCII.GetString(vxlan, frame.PayloadOffset, frame.PayloadLength));
        }

        [Fact]
        public void Encodes_the_same_bytes_the_kernel_put_on_the_wire()
        {
            byte[] outer = Fixture("kernel-vxlan-icmp-echo.hex");
            byte[] kernel = VxlanPayload(outer, out Ipv4Header outerIp, out UdpHeader outerUdp);
            Assert.True(VxlanFrame.TryDecode(kernel, out VxlanFrame frame, out _));

            // Rebuild the whole VXLAN packet from its fields with the encoder: every byte must match the kernel's.
            byte[] ours = new byte[kernel.Length];
            VxlanHeader.Write(ours, frame.Vxlan.Vni);
            new EthernetHeader(frame.Ethernet.Destination, frame.Ethernet.Source, EthernetHeader.IPv4EtherType).Write(ours.AsSpan(VxlanHeader.Length));
            Ipv4Header.Create(frame.Ipv4.Source, frame.Ipv4.Destination, Ipv4Header.IcmpProtocol, frame.Ipv4.TotalLength - 20,
                frame.Ipv4.Identification, frame.Ipv4.DontFragment, frame.Ipv4.TimeToLive).Write(ours.AsSpan(VxlanFrame.InnerIPv4Offset));
            IcmpEcho.Write(ours.AsSpan(frame.TransportOffset), IcmpEcho.EchoRequestType, frame.Icmp.Identifier, frame.Icmp.Sequence,
                kernel.AsSpan(frame.PayloadOffset, frame.PayloadLength));
            Assert.Equal(Convert.ToHexString(kernel), Convert.ToHexString(ours));

            // And the outer UDP checksum the kernel computed over it.
            byte[] datagram = new byte[UdpHeader.HeaderLength + ours.Length];
            ours.CopyTo(datagram, UdpHeader.HeaderLength);
            UdpHeader.WriteHeader(datagram, datagram.Length, outerIp.Source, outerIp.Destination, outerUdp.SourcePort, outerUdp.DestinationPort);
            Assert.Equal(Convert.ToHexString(outer.AsSpan(outerIp.HeaderLength, UdpHeader.HeaderLength)), Convert.ToHexString(datagram.AsSpan(0, UdpHeader.HeaderLength)));
        }

        [Fact]
        public void Encodes_the_kernels_inner_UDP_checksum()
        {
            byte[] kernel = VxlanPayload(Fixture("kernel-vxlan-udp.hex"), out _, out _);
            Assert.True(VxlanFrame.TryDecode(kernel, out VxlanFrame frame, out _));
            byte[] segment = kernel.AsSpan(frame.TransportOffset, frame.Udp.Length).ToArray();
            byte[] expected = (byte[])segment.Clone();
            segment.AsSpan(0, UdpHeader.HeaderLength).Clear();
            UdpHeader.WriteHeader(segment, segment.Length, frame.Ipv4.Source, frame.Ipv4.Destination, frame.Udp.SourcePort, frame.Udp.DestinationPort);
            Assert.Equal(expected, segment);
        }
    }
}
