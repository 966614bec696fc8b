using System;
using System.Net;
using BenchmarkDotNet.Attributes;
using K3sNet.Packets;
using K3sNet.Probing;

namespace K3sNet.Bench.Codec
{
    /// <summary>
    /// Encode and decode of one VXLAN frame, at the two sizes the data path handles: a probe-sized inner packet (what
    /// Test-K3sVxlan -Probe sends first) and a 1450-byte inner packet (flannel's VXLAN MTU, the largest probe). The
    /// frame is UDP, so decoding verifies a checksum over the whole inner datagram: the costly case.
    /// </summary>
    [MemoryDiagnoser]
    public class CodecBenchmarks
    {
        public const int FlannelInnerMtu = 1450;
        private const int Vni = 1;

        private static readonly ProbeEndpoints Endpoints = ProbeEndpoints.For(
            Ipv4Header.ToNumber(IPAddress.Parse("10.0.1.10")), Ipv4Header.ToNumber(IPAddress.Parse("10.0.1.12")), 40123, 8472);

        private byte[] _encoded = Array.Empty<byte>();
        private byte[] _scratch = Array.Empty<byte>();

        /// <summary>The inner IPv4 packet's size in bytes.</summary>
        [Params(ProbeFrame.MinimumInnerPacketSize, FlannelInnerMtu)]
        public int InnerPacketSize { get; set; } = ProbeFrame.MinimumInnerPacketSize;

        [GlobalSetup]
        public void Setup()
        {
            _encoded = new byte[ProbeFrame.DatagramLength(InnerPacketSize)];
            _scratch = new byte[_encoded.Length];
            Write(_encoded);
        }

        /// <summary>Builds a whole request frame (headers, payload, padding, inner checksum) and returns its length.</summary>
        [Benchmark]
        public int Encode() => Write(_scratch);

        /// <summary>Decodes and checks the frame (every length and checksum) and returns the payload length it found.</summary>
        [Benchmark]
        public int Decode() => VxlanFrame.TryDecode(_encoded, out VxlanFrame frame, out _) ? frame.PayloadLength : -1;

        /// <summary>The frame the benchmark decodes, for a test to check.</summary>
        public ReadOnlySpan<byte> EncodedFrame => _encoded;

        private int Write(Span<byte> destination) => ProbeFrame.WriteRequest(
            destination, Vni, ProbeTransport.Udp, Endpoints, new ProbePayload(ProbeKind.Request, 0x1122334455667788, 1234567), InnerPacketSize, 7);
    }
}
