using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Firewall
{
    /// <summary>
    /// Reads the filter table of `iptables-legacy-save` (on nodes whose iptables is the legacy one, nft sees none of
    /// it) into a <see cref="FirewallRuleset"/>. The common matches become conditions; a match module it does not model
    /// becomes one unknown condition, so the judge says undetermined rather than guess.
    /// </summary>
    internal static class IptablesSave
    {
        private static readonly HashSet<string> KnownModules = new(StringComparer.Ordinal)
        {
            "tcp", "udp", "icmp", "conntrack", "state", "comment", "multiport", "addrtype", "mark",
        };

        public static FirewallRuleset Read(string save)
        {
            var policies = new List<(string Name, string? Policy)>();
            var rules = new Dictionary<string, List<FirewallRule>>(StringComparer.Ordinal);
            bool inFilter = false;
            foreach (string raw in save.Split('\n'))
            {
                string line = raw.Trim();
                if (line.StartsWith('*'))
                {
                    inFilter = line == "*filter";
                    continue;
                }

                if (!inFilter || line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                if (line.StartsWith(':'))
                {
                    string[] parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2)
                    {
                        policies.Add((parts[0], parts[1] == "-" ? null : parts[1].ToLowerInvariant()));
                    }

                    continue;
                }

                List<string> tokens = NftRuleText.Tokenize(line);
                if (tokens.Count >= 2 && tokens[0] == "-A")
                {
                    if (!rules.TryGetValue(tokens[1], out List<FirewallRule>? list))
                    {
                        rules[tokens[1]] = list = new List<FirewallRule>();
                    }

                    list.Add(Rule(tokens, list.Count + 1, line[(line.IndexOf(tokens[1], StringComparison.Ordinal) + tokens[1].Length)..].Trim()));
                }
            }

            var chains = policies.Select(p => new FirewallChain(
                "ip",
                "filter",
                p.Name,
                p.Name switch { "INPUT" => FirewallHook.Input, "FORWARD" => FirewallHook.Forward, _ => (FirewallHook?)null },
                0,
                p.Name is "INPUT" or "FORWARD" ? p.Policy : null,
                "filter",
                rules.TryGetValue(p.Name, out List<FirewallRule>? r) ? r : new List<FirewallRule>())).ToList();
            return new FirewallRuleset(chains, "iptables-legacy");
        }

        private static FirewallRule Rule(List<string> t, int position, string text)
        {
            var conditions = new List<RuleCondition>();
            RuleAction action = RuleAction.Continue;
            bool setsMark = false;
            string? comment = null;
            bool negate = false;
            string? module = null;
            for (int i = 2; i < t.Count; i++)
            {
                string option = t[i];
                string? value = i + 1 < t.Count ? Unquote(t[i + 1]) : null;
                string op = negate ? "!=" : "==";
                switch (option)
                {
                    case "!":
                        negate = true;
                        continue;
                    case "-m" when value is not null:
                        module = value;
                        if (!KnownModules.Contains(value))
                        {
                            conditions.Add(RuleCondition.Unknown($"-m {value}"));
                        }

                        i++;
                        break;
                    case "-i" or "-o" when value is not null:
                        conditions.Add(Condition(option == "-i" ? "iifname" : "oifname", op, PacketFields.Meta(option == "-i" ? "iifname" : "oifname"), value.Replace('+', '*')));
                        i++;
                        break;
                    case "-s" or "-d" when value is not null:
                        conditions.Add(Condition(option == "-s" ? "ip saddr" : "ip daddr", op, PacketFields.Payload("ip", option == "-s" ? "saddr" : "daddr"), value.EndsWith("/32", StringComparison.Ordinal) ? value[..^3] : value));
                        i++;
                        break;
                    case "-p" when value is not null:
                        conditions.Add(Condition("meta l4proto", op, PacketFields.Meta("l4proto"), value));
                        i++;
                        break;
                    case "--dport" or "--sport" or "--dports" or "--sports" or "--destination-port" or "--source-port" when value is not null:
                        string field = option.StartsWith("--d", StringComparison.Ordinal) ? "dport" : "sport";
                        conditions.Add(Condition($"th {field}", op, PacketFields.Payload("th", field), value.Replace(':', '-')));
                        i++;
                        break;
                    case "--ctstate" or "--state" when value is not null:
                        conditions.Add(Condition("ct state", op, PacketFields.Conntrack("state"), value.ToLowerInvariant()));
                        i++;
                        break;
                    case "--dst-type" when value is not null:
                        conditions.Add(Condition("fib daddr type", op, PacketFields.FibDaddrType, value.ToLowerInvariant()));
                        i++;
                        break;
                    case "--icmp-type" when value is not null:
                        conditions.Add(Condition("icmp type", op, PacketFields.Payload("icmp", "type"), value));
                        i++;
                        break;
                    case "--mark" when value is not null && module == "mark":
                        conditions.Add(Mark(value, op));
                        i++;
                        break;
                    case "--comment" when value is not null:
                        comment = value;
                        i++;
                        break;
                    case "-j" or "-g" when value is not null:
                        action = value switch
                        {
                            "ACCEPT" => new RuleAction(RuleActionKind.Accept),
                            "DROP" => new RuleAction(RuleActionKind.Drop),
                            "RETURN" => new RuleAction(RuleActionKind.Return),
                            "REJECT" => new RuleAction(RuleActionKind.Reject, RejectType: RejectType(t, i)),
                            "LOG" or "NFLOG" or "ULOG" or "AUDIT" or "CHECKSUM" or "TRACE" => RuleAction.Continue,
                            "MARK" or "CONNMARK" => RuleAction.Continue,
                            "QUEUE" or "NFQUEUE" or "TPROXY" or "DNAT" or "SNAT" or "MASQUERADE" or "REDIRECT" => new RuleAction(RuleActionKind.Unknown, value),
                            _ => new RuleAction(option == "-j" ? RuleActionKind.Jump : RuleActionKind.Goto, value),
                        };
                        setsMark |= value is "MARK" or "CONNMARK";
                        i = t.Count;
                        break;
                    default:
                        // An option of a module this reader does not model (the module itself is already unknown).
                        if (option.StartsWith("--", StringComparison.Ordinal) && module is not null && KnownModules.Contains(module))
                        {
                            conditions.Add(RuleCondition.Unknown($"{option}"));
                        }

                        while (i + 1 < t.Count && !t[i + 1].StartsWith('-') && t[i + 1] != "!")
                        {
                            i++;
                        }

                        break;
                }

                negate = false;
            }

            return new FirewallRule(null, position, text, comment, conditions, setsMark, action);
        }

        private static RuleCondition Condition(string left, string op, Func<PacketClass, WalkState, object> value, string pattern)
        {
            var patterns = new List<ValuePattern>();
            bool known = true;
            foreach (string part in pattern.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int slash = part.IndexOf('/');
                int dash = part.IndexOf('-', 1);
                ValuePattern? p = slash > 0
                    ? ValuePattern.Prefix(part[..slash], int.TryParse(part[(slash + 1)..], out int len) ? len : -1)
                    : dash > 0 && ValuePattern.Range(part[..dash], part[(dash + 1)..]) is ValuePattern range ? range : ValuePattern.Exact(part);
                if (p is null)
                {
                    known = false;
                    continue;
                }

                patterns.Add(p);
            }

            IReadOnlyList<ValuePattern>? final = known ? patterns : null;
            string text = op == "==" ? $"{left} {pattern}" : $"{left} != {pattern}";
            return new RuleCondition(text, (p, s) => FirewallValues.Compare(op, value(p, s), final));
        }

        private static RuleCondition Mark(string value, string op)
        {
            string[] parts = value.Split('/');
            long? Parse(string s) => s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? long.TryParse(s[2..], System.Globalization.NumberStyles.HexNumber, null, out long h) ? h : null
                : long.TryParse(s, out long n) ? n : null;
            long? mark = Parse(parts[0]);
            long? mask = parts.Length > 1 ? Parse(parts[1]) : 0xFFFFFFFFL;
            return new RuleCondition($"meta mark {value}", (_, s) =>
                s.Mark is long m && mark is long k && mask is long x ? (op == "==") == ((m & x) == k) : null);
        }

        private static string? RejectType(List<string> t, int i)
        {
            int with = t.IndexOf("--reject-with", i);
            if (with < 0 || with + 1 >= t.Count)
            {
                return null;
            }

            string type = t[with + 1];
            return type switch
            {
                "tcp-reset" => "tcp reset",
                _ when type.StartsWith("icmp-", StringComparison.Ordinal) => "icmp type " + type["icmp-".Length..],
                _ => type,
            };
        }

        private static string Unquote(string token) => token.Length >= 2 && token[0] == '"' && token[^1] == '"' ? token[1..^1] : token;
    }
}
