using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Firewall
{
    /// <summary>
    /// A ruleset as the judge walks it, whichever tool printed it (`nft -j list ruleset`, iptables-legacy-save):
    /// chains with their hooks and policies, rules reduced to conditions and an action, and the named sets.
    /// </summary>
    internal sealed class FirewallRuleset
    {
        public FirewallRuleset(IReadOnlyList<FirewallChain> chains, string source)
        {
            Chains = chains;
            Source = source;
        }

        public IReadOnlyList<FirewallChain> Chains { get; }

        /// <summary>What printed it: "nftables" or "iptables-legacy".</summary>
        public string Source { get; }

        public static FirewallRuleset Empty(string source) => new(Array.Empty<FirewallChain>(), source);

        /// <summary>The base chains on a hook for IPv4 packets, in the order netfilter runs them (priority).</summary>
        public IReadOnlyList<FirewallChain> BaseChains(FirewallHook hook) =>
            Chains.Where(c => c.Hook == hook && c.Family is "ip" or "inet" && c.Type is null or "filter")
                .Select((c, i) => (c, i))
                .OrderBy(x => x.c.Priority)
                .ThenBy(x => x.i)
                .Select(x => x.c)
                .ToList();

        public FirewallChain? Find(string family, string table, string name) =>
            Chains.FirstOrDefault(c => c.Family == family && c.Table == table && c.Name == name);

        public bool HasTable(string family, string table) => Chains.Any(c => c.Family == family && c.Table == table);

        public bool TableHasChain(string family, string table, Func<string, bool> name) =>
            Chains.Any(c => c.Family == family && c.Table == table && name(c.Name));
    }

    /// <summary>A chain: a base chain (hook, priority, policy) or a regular one reached by jump/goto.</summary>
    internal sealed record FirewallChain(
        string Family,
        string Table,
        string Name,
        FirewallHook? Hook,
        int Priority,
        string? Policy,
        string? Type,
        IReadOnlyList<FirewallRule> Rules);

    /// <param name="Handle">The nftables handle (nft insert/delete ... handle N); null for iptables-legacy.</param>
    /// <param name="Position">1-based place in its chain, as `iptables -I CHAIN n` counts.</param>
    /// <param name="Text">The rule as its tool prints it.</param>
    internal sealed record FirewallRule(
        int? Handle,
        int Position,
        string Text,
        string? Comment,
        IReadOnlyList<RuleCondition> Conditions,
        bool SetsMark,
        RuleAction Action);

    /// <summary>
    /// One match of a rule. The test says whether the packet matches: true, false, or null when the judge cannot tell
    /// (an xtables match it cannot see into, a meter, a key it does not model), so the walk tries both ways.
    /// </summary>
    internal sealed record RuleCondition(string Text, Func<PacketClass, WalkState, bool?> Test)
    {
        public static RuleCondition Unknown(string text) => new(text, (_, _) => null);

        public static RuleCondition Always(string text) => new(text, (_, _) => true);
    }

    /// <summary>What the walk knows about the packet beyond its class: the mark (0 for a packet from the wire).</summary>
    internal sealed record WalkState(long? Mark)
    {
        public static readonly WalkState Initial = new(0L);
    }

    internal enum RuleActionKind
    {
        /// <summary>No verdict (counter, log): the next rule follows.</summary>
        Continue,
        Accept,
        Drop,
        Reject,
        Jump,
        Goto,
        Return,

        /// <summary>A verdict map: the key picks the verdict.</summary>
        Map,

        /// <summary>A verdict the judge does not model (queue, an xtables target): undetermined when reached.</summary>
        Unknown,
    }

    /// <param name="Target">The chain of a jump or goto; the target's name for Unknown.</param>
    /// <param name="RejectType">How a reject answers: "icmp type host-prohibited", "tcp reset"; null for the default.</param>
    internal sealed record RuleAction(RuleActionKind Kind, string? Target = null, string? RejectType = null, VerdictMap? Map = null)
    {
        public static readonly RuleAction Continue = new(RuleActionKind.Continue);
    }

    /// <summary>A verdict map: the key's value picks an entry; no entry means the rule does not apply.</summary>
    internal sealed record VerdictMap(
        Func<PacketClass, WalkState, object> Key,
        IReadOnlyList<(ValuePattern Pattern, RuleAction Action)> Entries);
}
