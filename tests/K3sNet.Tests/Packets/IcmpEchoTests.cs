using System;
using K3sNet.Packets;

namespace K3sNet.Tests.Packets
{
    public sealed class IcmpEchoTests
    {
        // An echo request as iputils ping sends it (id 0x1234, seq 1, payload "abcd"), checksum computed by hand from
        // RFC 1071: 0x0800 + 0x1234 + 0x0001 + 0x6162 + 0x6364 = 0xDEFB -> ~ = 0x2104.
        private static readonly byte[] Request = { 0x08, 0x00, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64 };

        [Fact]
        public void Writes_the_checksum_RFC_1071_gives()
        {
            var buffer = new byte[32];
            int length = IcmpEcho.Write(buffer, IcmpEcho.EchoRequestType, 0x1234, 1, "abcd"u8);
            Assert.Equal(Request, buffer.AsSpan(0, length).ToArray());
        }

        [Fact]
        public void Reads_a_valid_request()
        {
            Assert.True(IcmpEcho.TryRead(Request, out IcmpEchoHeader header, out string? reason));
            Assert.Null(reason);
            Assert.Equal(new IcmpEchoHeader(IcmpEcho.EchoRequestType, 0x1234, 1), header);
            Assert.False(header.IsReply);
        }

        [Fact]
        public void Refuses_a_corrupted_message_with_the_reason()
        {
            byte[] corrupted = (byte[])Request.Clone();
            corrupted[9] ^= 0x01;
            Assert.False(IcmpEcho.TryRead(corrupted, out _, out string? reason));
            Assert.Contains("checksum", reason, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(new byte[0], "needs 8 bytes")]
        [InlineData(new byte[] { 3, 3, 0, 0, 0, 0, 0, 0 }, "type 3")]
        [InlineData(new byte[] { 8, 1, 0, 0, 0, 0, 0, 0 }, "code must be 0")]
        public void Refuses_what_is_not_an_echo(byte[] message, string expected)
        {
            Assert.False(IcmpEcho.TryRead(message, out _, out string? reason));
            Assert.Contains(expected, reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Checksum_of_an_odd_length_pads_the_last_byte_with_zero()
        {
            // 0x0102 + 0x0300 = 0x0402 -> ~ = 0xFBFD
            Assert.Equal(0xFBFD, InternetChecksum.Compute(new byte[] { 1, 2, 3 }));
        }

        [Fact]
        public void Checksum_folds_carries()
        {
            // 0xFFFF + 0x0001 = 0x10000 -> folded 0x0001 -> ~ = 0xFFFE
            Assert.Equal(0xFFFE, InternetChecksum.Compute(new byte[] { 0xFF, 0xFF, 0x00, 0x01 }));
        }
    }
}
