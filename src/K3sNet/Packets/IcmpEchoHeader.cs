namespace K3sNet.Packets
{
    /// <summary>The fields of an ICMP echo message that identify it; the payload follows at <see cref="IcmpEcho.HeaderLength"/>.</summary>
    internal readonly record struct IcmpEchoHeader(byte Type, ushort Identifier, ushort Sequence)
    {
        public bool IsReply => Type == IcmpEcho.EchoReplyType;
    }
}
