using System;

namespace K3sNet.Icmp
{
    /// <summary>Neither ICMP socket can be opened: the user is outside ping_group_range and is not root.</summary>
    internal sealed class IcmpNotPermittedException : Exception
    {
        public IcmpNotPermittedException(string message, Exception? inner)
            : base(message, inner)
        {
        }
    }
}
