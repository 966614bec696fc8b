using System;
using System.Net;
using K3sNet.Packets;

namespace K3sNet.Icmp
{
    /// <summary>
    /// Decides whether a message read from an ICMP socket is the echo reply a probe waits for. A raw socket hands over
    /// the IPv4 header and every ICMP message the host receives; the datagram socket hands over only the ICMP message,
    /// already filtered to this socket, with the identifier rewritten by the kernel. Never throws on garbage.
    /// </summary>
    internal static class IcmpReplyMatcher
    {
        public static bool IsReplyTo(
            ReadOnlySpan<byte> received,
            IcmpSocketKind kind,
            IPAddress expectedSource,
            ushort identifier,
            ushort sequence,
            ReadOnlySpan<byte> token,
            out string? reason)
        {
            ReadOnlySpan<byte> icmp = received;
            if (kind == IcmpSocketKind.Raw)
            {
                if (received.Length < 20 || (received[0] >> 4) != 4)
                {
                    reason = "Not an IPv4 packet.";
                    return false;
                }

                int headerLength = (received[0] & 0x0F) * 4;
                if (headerLength < 20 || received.Length < headerLength)
                {
                    reason = "The IPv4 header length is invalid.";
                    return false;
                }

                if (received[9] != 1)
                {
                    reason = $"IP protocol {received[9]} is not ICMP.";
                    return false;
                }

                var source = new IPAddress(received.Slice(12, 4));
                if (!source.Equals(expectedSource))
                {
                    reason = $"The reply comes from {source}, not {expectedSource}.";
                    return false;
                }

                icmp = received.Slice(headerLength);
            }

            if (!IcmpEcho.TryRead(icmp, out IcmpEchoHeader header, out reason))
            {
                return false;
            }

            if (!header.IsReply)
            {
                reason = "An echo request, not a reply.";
                return false;
            }

            // The datagram socket replaces the identifier with its own; the kernel already matched it to this socket.
            if ((kind == IcmpSocketKind.Raw && header.Identifier != identifier) || header.Sequence != sequence)
            {
                reason = "The reply answers another probe.";
                return false;
            }

            ReadOnlySpan<byte> payload = icmp.Slice(IcmpEcho.HeaderLength);
            if (payload.Length < token.Length || !payload.Slice(0, token.Length).SequenceEqual(token))
            {
                reason = "The reply does not carry this probe's token.";
                return false;
            }

            reason = null;
            return true;
        }
    }
}
