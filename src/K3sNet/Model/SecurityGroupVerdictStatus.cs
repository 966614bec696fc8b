namespace K3sNet
{
    /// <summary>How the AWS configuration treats one flow, or whether a group exposes a cluster-only port.</summary>
    public enum SecurityGroupVerdictStatus
    {
        /// <summary>A security group on the destination admits the flow and the network ACLs pass it both ways.</summary>
        Allowed,

        /// <summary>No security group rule admits it, or a network ACL entry stops it.</summary>
        Blocked,

        /// <summary>Only a prefix-list rule might admit it; K3sNet does not read prefix lists, so it cannot tell.</summary>
        Unknown,

        /// <summary>A cluster-only port is open to 0.0.0.0/0 or ::/0.</summary>
        Exposed,
    }
}
