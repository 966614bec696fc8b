using System.Globalization;

namespace K3sNet.Firewall
{
    /// <summary>
    /// The command that lets a packet class through, in the words of the tool that dropped it: ufw's and firewalld's
    /// own commands (the k3s documentation's, for firewalld), Docker's DOCKER-USER chain, an iptables insert before
    /// Oracle Cloud's REJECT, an nft insert before the rule's handle. Never a security-group change: this node drops it.
    /// </summary>
    internal static class FirewallRemedy
    {
        /// <param name="clusterCidr">The cluster's pod CIDR (k3s's 10.42.0.0/16 by default), for firewalld's trusted zone.</param>
        public static string? For(RulesetOutcome outcome, string clusterCidr) =>
            Parts(outcome, clusterCidr) is var (command, note) ? command + note : null;

        /// <summary>
        /// One remedy for both directions of pod traffic dropped by the same chain: both commands, the note once, and
        /// one command where the fix is the same for both (firewalld's trusted zone).
        /// </summary>
        public static string? ForBoth(RulesetOutcome first, RulesetOutcome second, string clusterCidr)
        {
            if (Parts(first, clusterCidr) is not var (a, note) || Parts(second, clusterCidr) is not var (b, _))
            {
                return null;
            }

            return (a == b ? a : $"{a} && {b}") + note;
        }

        /// <summary>The command, and what goes with it (where to persist it, the trade-off), or null when nothing here should change.</summary>
        private static (string Command, string Note)? Parts(RulesetOutcome outcome, string clusterCidr)
        {
            if (outcome.Decision is not (FirewallDecision.Drop or FirewallDecision.Reject) || outcome.Chain is null || outcome.Origin is null or FirewallOrigin.K3s)
            {
                return null;
            }

            PacketClass p = outcome.Packet;
            FirewallChain chain = outcome.Chain;
            bool input = p.Hook == FirewallHook.Input;
            string port = p.DestinationPort.ToString(CultureInfo.InvariantCulture);
            string position = outcome.Rule?.Position.ToString(CultureInfo.InvariantCulture) ?? "1";
            string iptablesMatch = input ? $"-s {p.Source} -p {p.Protocol} --dport {port}" : $"-i {p.InInterface} -o {p.OutInterface}";
            string nftMatch = input
                ? $"ip saddr {p.Source} {p.Protocol} dport {port} accept"
                : $"iifname \"{p.InInterface}\" oifname \"{p.OutInterface}\" accept";
            const string Persist = ". Persist it the way this host saves its rules (netfilter-persistent save, or /etc/sysconfig/iptables).";

            switch (outcome.Origin)
            {
                case FirewallOrigin.Ufw:
                    return (input ? $"ufw allow proto {p.Protocol} from {p.Source} to any port {port}" : $"ufw route allow in on {p.InInterface} out on {p.OutInterface}", string.Empty);
                case FirewallOrigin.Firewalld:
                    return (input
                        ? $"firewall-cmd --permanent --add-port={port}/{p.Protocol} && firewall-cmd --reload"
                        : $"firewall-cmd --permanent --zone=trusted --add-source={clusterCidr} && firewall-cmd --permanent --zone=trusted --add-source=10.43.0.0/16 && firewall-cmd --reload", string.Empty);
                case FirewallOrigin.Docker:
                    return ($"iptables -I DOCKER-USER {iptablesMatch} -j ACCEPT",
                        " (Docker keeps DOCKER-USER's rules; 'iptables -P FORWARD ACCEPT' also works, but opens all forwarding and Docker sets DROP again when it restarts).");
                case FirewallOrigin.OracleCloud:
                    return ($"iptables -I {chain.Name} {position} {iptablesMatch} -j ACCEPT", " (before the REJECT)" + Persist);
                case FirewallOrigin.Iptables:
                    return (outcome.IsPolicy || outcome.Rule is null
                        ? $"iptables -A {chain.Name} {iptablesMatch} -j ACCEPT"
                        : $"iptables -I {chain.Name} {position} {iptablesMatch} -j ACCEPT", Persist);
                default:
                    return (outcome.IsPolicy || outcome.Rule?.Handle is null
                        ? $"nft add rule {chain.Family} {chain.Table} {chain.Name} {nftMatch}"
                        : $"nft insert rule {chain.Family} {chain.Table} {chain.Name} position {outcome.Rule.Handle.Value.ToString(CultureInfo.InvariantCulture)} {nftMatch}", string.Empty);
            }
        }

        /// <summary>Who wrote the rule, as a reason says it.</summary>
        public static string Describe(FirewallOrigin origin) => origin switch
        {
            FirewallOrigin.Ufw => "ufw",
            FirewallOrigin.Firewalld => "firewalld",
            FirewallOrigin.Docker => "Docker",
            FirewallOrigin.OracleCloud => "Oracle Cloud's image",
            FirewallOrigin.Iptables => "iptables",
            FirewallOrigin.K3s => "k3s",
            _ => "nftables",
        };
    }
}
