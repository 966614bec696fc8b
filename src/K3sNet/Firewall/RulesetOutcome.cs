namespace K3sNet.Firewall
{
    /// <summary>
    /// What this node's ruleset does with one packet class, and where: the rule (or the chain's policy) that decided
    /// it, or, when undetermined, the rule the judge could not evaluate.
    /// </summary>
    /// <param name="Rule">Null when a chain's policy decided (see <see cref="IsPolicy"/>) or no base chain exists.</param>
    /// <param name="Uncertain">For Undetermined: the rule whose match the judge could not evaluate.</param>
    internal sealed record RulesetOutcome(
        FirewallDecision Decision,
        PacketClass Packet,
        FirewallChain? Chain,
        FirewallRule? Rule,
        bool IsPolicy,
        string? RejectType,
        FirewallOrigin? Origin,
        string Source,
        (FirewallChain Chain, FirewallRule Rule)? Uncertain = null)
    {
        /// <summary>"table ip filter, chain FORWARD, policy drop" or "table inet fw, chain input, rule handle 7 'udp dport 8472 drop'".</summary>
        public string Where
        {
            get
            {
                if (Decision == FirewallDecision.Undetermined && Uncertain is var (uc, ur))
                {
                    return $"table {uc.Family} {uc.Table}, chain {uc.Name}, {RuleName(ur)}";
                }

                if (Chain is null)
                {
                    return "no base chain";
                }

                string rule = IsPolicy ? $"policy {Chain.Policy}" : Rule is null ? "end of chain" : RuleName(Rule);
                return $"table {Chain.Family} {Chain.Table}, chain {Chain.Name}, {rule}";
            }
        }

        // A rule's counter values change with every packet and say nothing about what the rule does: shown without them.
        private static readonly System.Text.RegularExpressions.Regex CounterValues =
            new(@"\bcounter packets \d+ bytes \d+ ?", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private static string RuleName(FirewallRule rule)
        {
            string text = CounterValues.Replace(rule.Text, string.Empty).Trim();
            return rule.Handle is int handle ? $"rule handle {handle} '{text}'" : $"rule {rule.Position} '{text}'";
        }
    }
}
