namespace K3sNet.Firewall
{
    /// <summary>What this node's own ruleset does with a packet class.</summary>
    internal enum FirewallDecision
    {
        Accept,
        Drop,
        Reject,

        /// <summary>A rule the judge cannot evaluate decides it; never turned into a guess.</summary>
        Undetermined,
    }
}
