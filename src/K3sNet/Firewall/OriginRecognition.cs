using System;

namespace K3sNet.Firewall
{
    /// <summary>Names the tool behind the rule or policy that decided, from the ruleset's own shape (reference §5).</summary>
    internal static class OriginRecognition
    {
        public static FirewallOrigin Recognise(FirewallRuleset ruleset, FirewallChain chain, FirewallRule? rule, bool isPolicy, string? rejectType)
        {
            string name = chain.Name;
            if (chain.Table == "firewalld")
            {
                return FirewallOrigin.Firewalld;
            }

            if (IsK3s(chain))
            {
                return FirewallOrigin.K3s;
            }

            bool ufwTable = ruleset.TableHasChain(chain.Family, chain.Table, n => n.StartsWith("ufw-", StringComparison.Ordinal));
            if (name.StartsWith("ufw-", StringComparison.Ordinal) || isPolicy && ufwTable)
            {
                return FirewallOrigin.Ufw;
            }

            bool dockerTable = ruleset.TableHasChain(chain.Family, chain.Table, n => n.StartsWith("DOCKER", StringComparison.Ordinal));
            if (name.StartsWith("DOCKER", StringComparison.Ordinal) || isPolicy && name == "FORWARD" && dockerTable)
            {
                return FirewallOrigin.Docker;
            }

            if (rule is not null && name is "INPUT" or "FORWARD" && rejectType is not null && rejectType.Contains("host-prohibited", StringComparison.Ordinal))
            {
                return FirewallOrigin.OracleCloud;
            }

            return IsIptables(ruleset, chain) ? FirewallOrigin.Iptables : FirewallOrigin.Nftables;
        }

        /// <summary>k3s's own rules: kube-proxy's table and chains, flannel's and the CNI plugins' chains.</summary>
        public static bool IsK3s(FirewallChain chain) =>
            chain.Table == "kube-proxy"
            || chain.Name.StartsWith("KUBE-", StringComparison.Ordinal)
            || chain.Name.StartsWith("FLANNEL-", StringComparison.Ordinal)
            || chain.Name.StartsWith("CNI-", StringComparison.Ordinal);

        /// <summary>iptables' tables: iptables-legacy, or iptables-nft's ip filter with its upper-case built-in chains.</summary>
        public static bool IsIptables(FirewallRuleset ruleset, FirewallChain chain) =>
            ruleset.Source == "iptables-legacy"
            || chain.Family is "ip" && chain.Table is "filter" or "mangle" or "raw" or "security"
                && ruleset.TableHasChain(chain.Family, chain.Table, n => n is "INPUT" or "FORWARD" or "OUTPUT");
    }
}
