using System;
using System.Net;
using K3sNet.Packets;
using K3sNet.Probing;

namespace K3sNet.Tests.Probing
{
    /// <summary>Valid probe frames for the tests, and a way to re-seal a deliberately altered one.</summary>
    internal static class ProbeFrames
    {
        public static readonly uint Client = Ipv4Header.ToNumber(IPAddress.Parse("10.0.1.10"));
        public static readonly uint Responder = Ipv4Header.ToNumber(IPAddress.Parse("10.0.1.12"));
        public static readonly ProbeEndpoints Endpoints = ProbeEndpoints.For(Client, Responder, 40123, 8472);

        public static byte[] Request(ProbeTransport transport = ProbeTransport.IcmpEcho, int innerPacketSize = ProbeFrame.MinimumInnerPacketSize, ulong nonce = 0x1122334455667788, int vni = 1)
        {
            byte[] frame = new byte[ProbeFrame.DatagramLength(innerPacketSize)];
            ProbeFrame.WriteRequest(frame, vni, transport, Endpoints, new ProbePayload(ProbeKind.Request, nonce, 1234567), innerPacketSize, 7);
            return frame;
        }

        /// <summary>Recomputes the inner ICMP or UDP checksum, so a test can reach the checks behind it.</summary>
        public static void Reseal(byte[] frame)
        {
            int transport = VxlanFrame.InnerIPv4Offset + Ipv4Header.MinimumLength;
            Span<byte> segment = frame.AsSpan(transport);
            if (frame[VxlanFrame.InnerIPv4Offset + 9] == Ipv4Header.IcmpProtocol)
            {
                IcmpEcho.Write(segment, segment[0], (ushort)((segment[4] << 8) | segment[5]), (ushort)((segment[6] << 8) | segment[7]), segment.Slice(IcmpEcho.HeaderLength));
            }
            else
            {
                UdpHeader.WriteHeader(segment, segment.Length, Client, Responder, (ushort)((segment[0] << 8) | segment[1]), (ushort)((segment[2] << 8) | segment[3]));
            }
        }

        public static ProbeCheck CheckRequest(byte[] frame) => ProbeFrame.Check(frame, 1, ProbeKind.Request, out _, out _);
    }
}
