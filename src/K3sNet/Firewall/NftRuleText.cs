using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace K3sNet.Firewall
{
    /// <summary>
    /// Reads one rule as nft prints it in text ("ip saddr 10.0.1.0/24 udp dport 8472 counter accept"), for the rules
    /// whose JSON hides xtables parts. The common shapes become conditions the judge evaluates; anything else becomes
    /// one unknown condition, never a guess.
    /// </summary>
    internal static class NftRuleText
    {
        private static readonly HashSet<string> Verdicts = new(StringComparer.Ordinal) { "accept", "drop", "reject", "jump", "goto", "return", "queue" };

        internal sealed record Parsed(IReadOnlyList<RuleCondition> Conditions, bool SetsMark, RuleAction Action, string? Comment);

        public static Parsed Parse(string line, NftSetContext context)
        {
            List<string> t = Tokenize(line);
            var conditions = new List<RuleCondition>();
            bool setsMark = false;
            RuleAction action = RuleAction.Continue;
            string? comment = null;
            int i = 0;
            while (i < t.Count)
            {
                string word = t[i];
                switch (word)
                {
                    case "iifname" or "oifname" or "iif" or "oif":
                        i++;
                        conditions.Add(Compare(word, PacketFields.Meta(word), t, ref i, context));
                        break;
                    case "ip" when i + 1 < t.Count:
                        string field = t[i + 1];
                        i += 2;
                        conditions.Add(Compare($"ip {field}", PacketFields.Payload("ip", field), t, ref i, context));
                        break;
                    case "meta" or "mark" when word == "mark" || i + 1 < t.Count:
                        string key = word == "mark" ? "mark" : t[i + 1];
                        i += word == "mark" ? 1 : 2;
                        if (i < t.Count && t[i] == "set")
                        {
                            setsMark |= key == "mark";
                            i += 2;
                            break;
                        }

                        Func<PacketClass, WalkState, object> meta = PacketFields.Meta(key);
                        string metaText = key == "mark" ? "meta mark" : $"meta {key}";
                        if (i + 1 < t.Count && t[i] == "&" && ParseNumber(t[i + 1]) is long mask)
                        {
                            Func<PacketClass, WalkState, object> inner = meta;
                            meta = (p, s) => inner(p, s) is long n ? n & mask : FirewallValues.Unknown;
                            metaText += $" & {t[i + 1]}";
                            i += 2;
                        }

                        conditions.Add(Compare(metaText, meta, t, ref i, context));
                        break;
                    case "ct" when i + 1 < t.Count:
                        string ctKey = t[i + 1];
                        i += 2;
                        if (i < t.Count && t[i] == "set")
                        {
                            i += 2;
                            break;
                        }

                        conditions.Add(Compare($"ct {ctKey}", PacketFields.Conntrack(ctKey), t, ref i, context));
                        break;
                    case "fib" when i + 2 < t.Count && t[i + 1] == "daddr" && t[i + 2] == "type":
                        i += 3;
                        conditions.Add(Compare("fib daddr type", PacketFields.FibDaddrType, t, ref i, context));
                        break;
                    case "udp" or "tcp" or "th" or "icmp" or "sctp" or "icmpv6" or "ip6" when i + 1 < t.Count && t[i + 1] is "dport" or "sport" or "type" or "code" or "saddr" or "daddr":
                        string payload = t[i + 1];
                        i += 2;
                        conditions.Add(Compare($"{word} {payload}", PacketFields.Payload(word, payload), t, ref i, context));
                        break;
                    case "counter":
                        i++;
                        while (i + 1 < t.Count && t[i] is "packets" or "bytes")
                        {
                            i += 2;
                        }

                        break;
                    case "log":
                        i++;
                        while (i + 1 < t.Count && t[i] is "prefix" or "level" or "flags" or "group" or "snaplen" or "queue-threshold")
                        {
                            i += 2;
                        }

                        break;
                    case "limit":
                        int start = i;
                        i++;
                        while (i < t.Count && t[i] is "rate" or "over" or "burst" or "packets" or "bytes" || i < t.Count && char.IsDigit(t[i][0]))
                        {
                            i++;
                        }

                        conditions.Add(RuleCondition.Unknown(string.Join(" ", t.Skip(start).Take(i - start))));
                        break;
                    case "comment" when i + 1 < t.Count:
                        comment = Unquote(t[i + 1]);
                        i += 2;
                        break;
                    case "xt" when i + 2 < t.Count:
                        string name = Unquote(t[i + 2]);
                        if (t[i + 1] == "match")
                        {
                            conditions.Add(name == "comment" ? RuleCondition.Always("xt match comment") : RuleCondition.Unknown($"xt match {name}"));
                        }
                        else
                        {
                            (action, setsMark) = NftJson.XtTarget(name, setsMark);
                        }

                        i += 3;
                        break;
                    case "accept":
                        action = new RuleAction(RuleActionKind.Accept);
                        i++;
                        break;
                    case "drop":
                        action = new RuleAction(RuleActionKind.Drop);
                        i++;
                        break;
                    case "return":
                        action = new RuleAction(RuleActionKind.Return);
                        i++;
                        break;
                    case "continue" or "notrack":
                        i++;
                        break;
                    case "reject":
                        i++;
                        string? type = null;
                        if (i < t.Count && t[i] == "with")
                        {
                            var parts = new List<string>();
                            i++;
                            while (i < t.Count && t[i] != "comment" && !Verdicts.Contains(t[i]))
                            {
                                parts.Add(t[i]);
                                i++;
                            }

                            type = string.Join(" ", parts);
                        }

                        action = new RuleAction(RuleActionKind.Reject, RejectType: type);
                        break;
                    case "jump" or "goto" when i + 1 < t.Count:
                        action = new RuleAction(word == "jump" ? RuleActionKind.Jump : RuleActionKind.Goto, t[i + 1]);
                        i += 2;
                        break;
                    default:
                        // Something this reader does not model: everything up to the verdict is one unknown condition.
                        int verdict = t.FindIndex(i + 1, w => Verdicts.Contains(w));
                        int end = verdict < 0 ? t.Count : verdict;
                        conditions.Add(RuleCondition.Unknown(string.Join(" ", t.Skip(i).Take(end - i))));
                        if (verdict < 0)
                        {
                            action = new RuleAction(RuleActionKind.Unknown, word);
                        }

                        i = end;
                        break;
                }
            }

            return new Parsed(conditions, setsMark, action, comment);
        }

        private static RuleCondition Compare(string left, Func<PacketClass, WalkState, object> value, List<string> t, ref int i, NftSetContext context)
        {
            string op = "==";
            if (i < t.Count && t[i] is "!=" or "==" or "eq" or "ne")
            {
                op = t[i] is "!=" or "ne" ? "!=" : "==";
                i++;
            }

            if (i >= t.Count)
            {
                return RuleCondition.Unknown(left);
            }

            var shown = new List<string>();
            var patterns = new List<ValuePattern>();
            bool known = true;
            if (t[i] == "{")
            {
                i++;
                while (i < t.Count && t[i] != "}")
                {
                    shown.Add(t[i]);
                    known &= AddValue(t[i], context, patterns);
                    i++;
                }

                i++;
                shown = new List<string> { "{ " + string.Join(", ", shown) + " }" };
            }
            else
            {
                shown.Add(t[i]);
                known = AddValue(t[i], context, patterns);
                i++;
            }

            IReadOnlyList<ValuePattern>? final = known ? patterns : null;
            string text = op == "==" ? $"{left} {shown[0]}" : $"{left} {op} {shown[0]}";
            return new RuleCondition(text, (p, s) => FirewallValues.Compare(op, value(p, s), final));
        }

        private static bool AddValue(string token, NftSetContext context, List<ValuePattern> patterns)
        {
            if (token.StartsWith('"'))
            {
                patterns.Add(ValuePattern.Exact(Unquote(token)));
                return true;
            }

            if (token.StartsWith('@'))
            {
                return context.Elements(token[1..]) is List<JsonElement> elements && elements.All(e => NftJson.AddPatterns(e, context, patterns));
            }

            if (token.Contains(',', StringComparison.Ordinal))
            {
                return token.Split(',', StringSplitOptions.RemoveEmptyEntries).All(part => AddValue(part, context, patterns));
            }

            int slash = token.IndexOf('/');
            if (slash > 0)
            {
                ValuePattern? prefix = ValuePattern.Prefix(token[..slash], int.TryParse(token[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int len) ? len : -1);
                if (prefix is not null)
                {
                    patterns.Add(prefix);
                }

                return prefix is not null;
            }

            int dash = token.IndexOf('-', 1);
            if (dash > 0 && ValuePattern.Range(token[..dash], token[(dash + 1)..]) is ValuePattern range)
            {
                patterns.Add(range);
                return true;
            }

            if (ParseNumber(token) is long n)
            {
                patterns.Add(ValuePattern.Number(n));
                return true;
            }

            patterns.Add(ValuePattern.Exact(token));
            return true;
        }

        private static long? ParseNumber(string token) =>
            token.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? long.TryParse(token[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long hex) ? hex : null
                : long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;

        private static string Unquote(string token) => token.Length >= 2 && token[0] == '"' && token[^1] == '"' ? token[1..^1] : token;

        internal static List<string> Tokenize(string line)
        {
            var tokens = new List<string>();
            int i = 0;
            while (i < line.Length)
            {
                char c = line[i];
                if (char.IsWhiteSpace(c) || c == ',')
                {
                    i++;
                    continue;
                }

                if (c is '{' or '}')
                {
                    tokens.Add(c.ToString());
                    i++;
                    continue;
                }

                int start = i;
                if (c == '"')
                {
                    int close = line.IndexOf('"', i + 1);
                    i = close < 0 ? line.Length : close + 1;
                }
                else
                {
                    while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not '{' and not '}')
                    {
                        i++;
                    }
                }

                tokens.Add(line[start..i].TrimEnd(','));
            }

            return tokens;
        }
    }
}
