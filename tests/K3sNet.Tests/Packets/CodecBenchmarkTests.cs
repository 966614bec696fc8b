using K3sNet.Bench.Codec;
using K3sNet.Packets;
using K3sNet.Probing;

namespace K3sNet.Tests.Packets
{
    /// <summary>
    /// The codec benchmark (tools/Bench/Codec) measures real work only if its methods encode a valid frame and decode
    /// it whole: a benchmark that decoded garbage and failed early would report a fast, meaningless number.
    /// </summary>
    public class CodecBenchmarkTests
    {
        [Theory]
        [InlineData(ProbeFrame.MinimumInnerPacketSize)]
        [InlineData(CodecBenchmarks.FlannelInnerMtu)]
        public void Encode_WritesAValidUdpProbeRequestOfTheInnerSize(int innerPacketSize)
        {
            var benchmark = new CodecBenchmarks { InnerPacketSize = innerPacketSize };
            benchmark.Setup();

            Assert.Equal(ProbeFrame.DatagramLength(innerPacketSize), benchmark.Encode());
            Assert.Equal(ProbeCheck.Valid, ProbeFrame.Check(benchmark.EncodedFrame, 1, ProbeKind.Request, out VxlanFrame frame, out _));
            Assert.False(frame.IsIcmp);
            Assert.Equal(innerPacketSize, frame.Ipv4.TotalLength);
        }

        [Theory]
        [InlineData(ProbeFrame.MinimumInnerPacketSize)]
        [InlineData(CodecBenchmarks.FlannelInnerMtu)]
        public void Decode_ReadsTheWholeFrameDownToItsUdpPayload(int innerPacketSize)
        {
            var benchmark = new CodecBenchmarks { InnerPacketSize = innerPacketSize };
            benchmark.Setup();

            Assert.Equal(innerPacketSize - Ipv4Header.MinimumLength - UdpHeader.HeaderLength, benchmark.Decode());
        }
    }
}
