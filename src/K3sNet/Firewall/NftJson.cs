using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace K3sNet.Firewall
{
    /// <summary>
    /// Reads `nft -j list ruleset` into a <see cref="FirewallRuleset"/>. iptables-nft's rules appear there too, but
    /// the matches and targets it writes through the xtables compatibility layer (conntrack, addrtype, multiport,
    /// REJECT) print only as {"xt": {"name": ...}} in JSON, while `nft -a list ruleset` prints them translated
    /// ("ct state related,established", "reject with icmp type host-prohibited"). So a rule with an xt expression is
    /// read from that text listing instead, matched by its handle; without it, the xt parts stay unknown.
    /// Malformed input yields an empty ruleset rather than throwing.
    /// </summary>
    internal static class NftJson
    {
        public static FirewallRuleset Read(string json, string? listing = null)
        {
            var sets = new Dictionary<(string, string, string), List<JsonElement>>();
            var chains = new List<(string Family, string Table, string Name, FirewallHook? Hook, int Prio, string? Policy, string? Type)>();
            var rules = new Dictionary<(string, string, string), List<JsonElement>>();
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            }
            catch (JsonException)
            {
                return FirewallRuleset.Empty("nftables");
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("nftables", out JsonElement items)
                    || items.ValueKind != JsonValueKind.Array)
                {
                    return FirewallRuleset.Empty("nftables");
                }

                foreach (JsonElement item in items.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    foreach (JsonProperty p in item.EnumerateObject())
                    {
                        JsonElement o = p.Value;
                        if (o.ValueKind != JsonValueKind.Object)
                        {
                            continue;
                        }

                        string family = Text(o, "family") ?? string.Empty;
                        string table = Text(o, "table") ?? string.Empty;
                        switch (p.Name)
                        {
                            case "set" or "map":
                                var elements = new List<JsonElement>();
                                if (o.TryGetProperty("elem", out JsonElement elem) && elem.ValueKind == JsonValueKind.Array)
                                {
                                    elements.AddRange(elem.EnumerateArray().Select(e => e.Clone()));
                                }

                                sets[(family, table, Text(o, "name") ?? string.Empty)] = elements;
                                break;
                            case "chain":
                                FirewallHook? hook = Text(o, "hook") switch
                                {
                                    "input" => FirewallHook.Input,
                                    "forward" => FirewallHook.Forward,
                                    _ => null,
                                };
                                bool isBase = o.TryGetProperty("hook", out _);
                                chains.Add((family, table, Text(o, "name") ?? string.Empty, hook, Number(o, "prio") ?? 0, Text(o, "policy") ?? (isBase ? "accept" : null), Text(o, "type")));
                                break;
                            case "rule":
                                var key = (family, table, Text(o, "chain") ?? string.Empty);
                                if (!rules.TryGetValue(key, out List<JsonElement>? list))
                                {
                                    rules[key] = list = new List<JsonElement>();
                                }

                                list.Add(o.Clone());
                                break;
                        }
                    }
                }
            }

            IReadOnlyDictionary<(string, string, int), string> lines = NftListing.RuleLines(listing);
            var result = new List<FirewallChain>();
            foreach (var c in chains)
            {
                var compiled = new List<FirewallRule>();
                if (rules.TryGetValue((c.Family, c.Table, c.Name), out List<JsonElement>? list))
                {
                    var context = new NftSetContext(c.Family, c.Table, sets);
                    foreach (JsonElement rule in list)
                    {
                        compiled.Add(Compile(rule, compiled.Count + 1, c.Family, c.Table, context, lines));
                    }
                }

                // A hook this judge does not walk (prerouting, output) still names its chain, so jumps resolve.
                result.Add(new FirewallChain(c.Family, c.Table, c.Name, c.Hook, c.Prio, c.Hook is null ? null : c.Policy, c.Type, compiled));
            }

            return new FirewallRuleset(result, "nftables");
        }

        private static FirewallRule Compile(JsonElement rule, int position, string family, string table, NftSetContext context, IReadOnlyDictionary<(string, string, int), string> lines)
        {
            int? handle = Number(rule, "handle");
            string? comment = Text(rule, "comment");
            JsonElement[] expressions = rule.TryGetProperty("expr", out JsonElement expr) && expr.ValueKind == JsonValueKind.Array
                ? expr.EnumerateArray().ToArray()
                : Array.Empty<JsonElement>();
            bool hasXt = expressions.Any(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("xt", out _));
            if (hasXt && handle is int h && lines.TryGetValue((family + " " + table, ((string?)Text(rule, "chain") ?? string.Empty), h), out string? line))
            {
                NftRuleText.Parsed parsed = NftRuleText.Parse(line, context);
                return new FirewallRule(handle, position, line, parsed.Comment ?? comment, parsed.Conditions, parsed.SetsMark, parsed.Action);
            }

            var conditions = new List<RuleCondition>();
            var text = new List<string>();
            bool setsMark = false;
            RuleAction action = RuleAction.Continue;
            foreach (JsonElement e in expressions)
            {
                if (e.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                JsonProperty p = e.EnumerateObject().FirstOrDefault();
                JsonElement v = p.Value;
                switch (p.Name)
                {
                    case "match":
                        RuleCondition condition = Match(v, context);
                        conditions.Add(condition);
                        text.Add(condition.Text);
                        break;
                    case "counter":
                        text.Add("counter");
                        break;
                    case "log":
                        text.Add("log");
                        break;
                    case "limit" or "quota" or "meter":
                        conditions.Add(RuleCondition.Unknown(p.Name));
                        text.Add(p.Name);
                        break;
                    case "mangle":
                        setsMark = true;
                        text.Add("meta mark set");
                        break;
                    case "accept":
                        action = new RuleAction(RuleActionKind.Accept);
                        text.Add("accept");
                        break;
                    case "drop":
                        action = new RuleAction(RuleActionKind.Drop);
                        text.Add("drop");
                        break;
                    case "return":
                        action = new RuleAction(RuleActionKind.Return);
                        text.Add("return");
                        break;
                    case "continue":
                        text.Add("continue");
                        break;
                    case "reject":
                        string? rejectType = RejectType(v);
                        action = new RuleAction(RuleActionKind.Reject, RejectType: rejectType);
                        text.Add(rejectType is null ? "reject" : $"reject with {rejectType}");
                        break;
                    case "jump" or "goto":
                        string target = Text(v, "target") ?? string.Empty;
                        action = new RuleAction(p.Name == "jump" ? RuleActionKind.Jump : RuleActionKind.Goto, target);
                        text.Add($"{p.Name} {target}");
                        break;
                    case "vmap":
                        (action, string mapText) = Vmap(v, context);
                        text.Add(mapText);
                        break;
                    case "xt":
                        // No listing to translate it: a comment is harmless, a known target keeps its meaning, the rest is unknown.
                        string type = Text(v, "type") ?? string.Empty;
                        string name = Text(v, "name") ?? string.Empty;
                        text.Add($"xt {type} {name}");
                        if (type == "match")
                        {
                            conditions.Add(name == "comment" ? RuleCondition.Always("xt match comment") : RuleCondition.Unknown($"xt match {name}"));
                        }
                        else
                        {
                            (action, setsMark) = XtTarget(name, setsMark);
                        }

                        break;
                    case "ct" or "notrack" or "set" or "map" or "dup" or "fwd" or "synproxy" or "tproxy" or "secmark" or "objref":
                        // Statements that change no verdict for a new flow (a named counter, a set update, a conntrack helper).
                        text.Add(p.Name);
                        break;
                    case "queue" or "snat" or "dnat" or "masquerade" or "redirect":
                        action = new RuleAction(RuleActionKind.Unknown, p.Name);
                        text.Add(p.Name);
                        break;
                    default:
                        conditions.Add(RuleCondition.Unknown(p.Name));
                        text.Add(p.Name);
                        break;
                }
            }

            if (comment is not null)
            {
                text.Add($"comment \"{comment}\"");
            }

            return new FirewallRule(handle, position, string.Join(" ", text), comment, conditions, setsMark, action);
        }

        internal static (RuleAction Action, bool SetsMark) XtTarget(string name, bool setsMark) => name switch
        {
            "REJECT" => (new RuleAction(RuleActionKind.Reject), setsMark),
            "LOG" or "NFLOG" or "ULOG" or "AUDIT" or "CHECKSUM" or "TRACE" => (RuleAction.Continue, setsMark),
            "MARK" or "CONNMARK" => (RuleAction.Continue, true),
            _ => (new RuleAction(RuleActionKind.Unknown, name), setsMark),
        };

        private static RuleCondition Match(JsonElement match, NftSetContext context)
        {
            string op = Text(match, "op") ?? "==";
            if (!match.TryGetProperty("left", out JsonElement left) || !match.TryGetProperty("right", out JsonElement right))
            {
                return RuleCondition.Unknown("match");
            }

            (Func<PacketClass, WalkState, object> value, string leftText) = Left(left);
            IReadOnlyList<ValuePattern>? patterns = Right(right, context);
            string rightText = RightText(right, leftText);
            string text = op is "==" or "in" ? $"{leftText} {rightText}" : $"{leftText} {op} {rightText}";
            return new RuleCondition(text, (packet, state) => FirewallValues.Compare(op, value(packet, state), patterns));
        }

        internal static (Func<PacketClass, WalkState, object> Value, string Text) Left(JsonElement left)
        {
            if (left.ValueKind != JsonValueKind.Object)
            {
                return ((_, _) => FirewallValues.Unknown, left.ToString());
            }

            JsonProperty p = left.EnumerateObject().FirstOrDefault();
            JsonElement v = p.Value;
            switch (p.Name)
            {
                case "meta":
                    string key = Text(v, "key") ?? string.Empty;
                    return (PacketFields.Meta(key), key is "iifname" or "oifname" or "iif" or "oif" or "mark" ? key : $"meta {key}");
                case "payload":
                    string protocol = Text(v, "protocol") ?? string.Empty;
                    string field = Text(v, "field") ?? string.Empty;
                    return (PacketFields.Payload(protocol, field), $"{protocol} {field}");
                case "ct":
                    string ctKey = Text(v, "key") ?? string.Empty;
                    return (PacketFields.Conntrack(ctKey), $"ct {ctKey}");
                case "fib":
                    bool daddr = v.TryGetProperty("flags", out JsonElement flags) && flags.ToString().Contains("daddr", StringComparison.Ordinal);
                    string result = Text(v, "result") ?? string.Empty;
                    return (daddr && result == "type" ? PacketFields.FibDaddrType : (_, _) => FirewallValues.Unknown, $"fib {(daddr ? "daddr" : "saddr")} {result}");
                case "&" when v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2:
                    (Func<PacketClass, WalkState, object> inner, string innerText) = Left(v[0]);
                    long? mask = v[1].ValueKind == JsonValueKind.Number && v[1].TryGetInt64(out long m) ? m : null;
                    string maskText = mask is long mm ? "0x" + mm.ToString("x8", CultureInfo.InvariantCulture) : v[1].ToString();
                    return ((packet, state) => inner(packet, state) is long n && mask is long k ? n & k : FirewallValues.Unknown, $"{innerText} & {maskText}");
                default:
                    return ((_, _) => FirewallValues.Unknown, p.Name);
            }
        }

        private static IReadOnlyList<ValuePattern>? Right(JsonElement right, NftSetContext context)
        {
            var patterns = new List<ValuePattern>();
            return AddPatterns(right, context, patterns) ? patterns : null;
        }

        /// <summary>False when a part cannot be read (an unknown set, a concatenation): the comparison is then unknown.</summary>
        internal static bool AddPatterns(JsonElement right, NftSetContext context, List<ValuePattern> patterns)
        {
            switch (right.ValueKind)
            {
                case JsonValueKind.String:
                    string s = right.GetString()!;
                    if (s.StartsWith('@'))
                    {
                        return context.Elements(s[1..]) is List<JsonElement> elements && elements.All(e => AddPatterns(e, context, patterns));
                    }

                    patterns.Add(ValuePattern.Exact(s));
                    return true;
                case JsonValueKind.Number:
                    if (right.TryGetInt64(out long n))
                    {
                        patterns.Add(ValuePattern.Number(n));
                        return true;
                    }

                    return false;
                case JsonValueKind.Array:
                    return right.EnumerateArray().All(e => AddPatterns(e, context, patterns));
                case JsonValueKind.Object:
                    JsonProperty p = right.EnumerateObject().FirstOrDefault();
                    switch (p.Name)
                    {
                        case "set":
                            return AddPatterns(p.Value, context, patterns);
                        case "elem":
                            return p.Value.TryGetProperty("val", out JsonElement val) && AddPatterns(val, context, patterns);
                        case "prefix":
                            ValuePattern? prefix = ValuePattern.Prefix(Text(p.Value, "addr") ?? string.Empty, Number(p.Value, "len") ?? -1);
                            if (prefix is not null)
                            {
                                patterns.Add(prefix);
                            }

                            return prefix is not null;
                        case "range" when p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 2:
                            ValuePattern? range = ValuePattern.Range(p.Value[0].ToString(), p.Value[1].ToString());
                            if (range is not null)
                            {
                                patterns.Add(range);
                            }

                            return range is not null;
                        default:
                            return false;
                    }

                default:
                    return false;
            }
        }

        private static (RuleAction Action, string Text) Vmap(JsonElement vmap, NftSetContext context)
        {
            if (!vmap.TryGetProperty("key", out JsonElement key) || !vmap.TryGetProperty("data", out JsonElement data))
            {
                return (new RuleAction(RuleActionKind.Unknown, "vmap"), "vmap");
            }

            (Func<PacketClass, WalkState, object> value, string keyText) = Left(key);
            IEnumerable<JsonElement> pairs = data.ValueKind switch
            {
                JsonValueKind.String when data.GetString()!.StartsWith('@') => context.Elements(data.GetString()![1..]) ?? new List<JsonElement>(),
                JsonValueKind.Object when data.TryGetProperty("set", out JsonElement set) && set.ValueKind == JsonValueKind.Array => set.EnumerateArray(),
                _ => Array.Empty<JsonElement>(),
            };
            var entries = new List<(ValuePattern, RuleAction)>();
            var shown = new List<string>();
            foreach (JsonElement pair in pairs)
            {
                var keyPatterns = new List<ValuePattern>();
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || !AddPatterns(pair[0], context, keyPatterns))
                {
                    return (new RuleAction(RuleActionKind.Unknown, "vmap"), $"{keyText} vmap {data}");
                }

                RuleAction verdict = Verdict(pair[1]);
                foreach (ValuePattern pattern in keyPatterns)
                {
                    entries.Add((pattern, verdict));
                    shown.Add($"{pattern.Text} : {VerdictText(verdict)}");
                }
            }

            string mapText = data.ValueKind == JsonValueKind.String ? data.GetString()! : "{ " + string.Join(", ", shown) + " }";
            return (new RuleAction(RuleActionKind.Map, Map: new VerdictMap(value, entries)), $"{keyText} vmap {mapText}");
        }

        private static RuleAction Verdict(JsonElement verdict)
        {
            if (verdict.ValueKind != JsonValueKind.Object)
            {
                return new RuleAction(RuleActionKind.Unknown, verdict.ToString());
            }

            JsonProperty p = verdict.EnumerateObject().FirstOrDefault();
            return p.Name switch
            {
                "accept" => new RuleAction(RuleActionKind.Accept),
                "drop" => new RuleAction(RuleActionKind.Drop),
                "return" => new RuleAction(RuleActionKind.Return),
                "continue" => RuleAction.Continue,
                "jump" => new RuleAction(RuleActionKind.Jump, Text(p.Value, "target")),
                "goto" => new RuleAction(RuleActionKind.Goto, Text(p.Value, "target")),
                _ => new RuleAction(RuleActionKind.Unknown, p.Name),
            };
        }

        internal static string VerdictText(RuleAction a) => a.Kind switch
        {
            RuleActionKind.Jump => $"jump {a.Target}",
            RuleActionKind.Goto => $"goto {a.Target}",
            RuleActionKind.Reject => a.RejectType is null ? "reject" : $"reject with {a.RejectType}",
            _ => a.Kind.ToString().ToLowerInvariant(),
        };

        private static string? RejectType(JsonElement reject)
        {
            if (reject.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? type = Text(reject, "type");
            string? expr = Text(reject, "expr");
            return type switch
            {
                null => null,
                "tcp reset" => "tcp reset",
                _ when expr is not null => $"{type} type {expr}",
                _ => type,
            };
        }

        private static string RightText(JsonElement right, string leftText)
        {
            switch (right.ValueKind)
            {
                case JsonValueKind.String:
                    string s = right.GetString()!;
                    return leftText is "iifname" or "oifname" && !s.StartsWith('@') ? $"\"{s}\"" : s;
                case JsonValueKind.Array:
                    return string.Join(",", right.EnumerateArray().Select(e => RightText(e, leftText)));
                case JsonValueKind.Object:
                    JsonProperty p = right.EnumerateObject().FirstOrDefault();
                    return p.Name switch
                    {
                        "set" => "{ " + string.Join(", ", p.Value.EnumerateArray().Select(e => RightText(e, leftText))) + " }",
                        "prefix" => $"{Text(p.Value, "addr")}/{Number(p.Value, "len")}",
                        "range" when p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 2 => $"{p.Value[0]}-{p.Value[1]}",
                        _ => right.ToString(),
                    };
                default:
                    return right.ToString();
            }
        }

        internal static string? Text(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        internal static int? Number(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) ? n : null;
    }

    /// <summary>The named sets and maps a rule may refer to: those of its own table.</summary>
    internal sealed class NftSetContext
    {
        private readonly string _family;
        private readonly string _table;
        private readonly IReadOnlyDictionary<(string, string, string), List<JsonElement>> _sets;

        public NftSetContext(string family, string table, IReadOnlyDictionary<(string, string, string), List<JsonElement>> sets)
        {
            _family = family;
            _table = table;
            _sets = sets;
        }

        public List<JsonElement>? Elements(string name) => _sets.TryGetValue((_family, _table, name), out List<JsonElement>? e) ? e : null;
    }
}
