namespace K3sNet.Probing
{
    /// <summary>What became of one probe.</summary>
    internal enum ProbeOutcome
    {
        /// <summary>The responder's valid reply came back.</summary>
        Answered,

        /// <summary>Nothing came back within the timeout.</summary>
        Silent,

        /// <summary>The peer's kernel answered ICMP port unreachable: the packet arrived, nothing listens on the port.</summary>
        PortUnreachable,

        /// <summary>The local kernel refused to send it with DF: larger than the MTU it knows for the path.</summary>
        TooLargeToSend,
    }
}
