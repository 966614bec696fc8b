using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Firewall
{
    /// <summary>
    /// Walks a packet class through a ruleset as netfilter would: every base chain on the hook, in priority order (an
    /// accept ends one base chain, the next one still runs; a drop or reject ends it all), with jumps, gotos, returns,
    /// verdict maps and policies. Pure.
    /// A match the judge cannot evaluate is tried both ways; when the ways end differently the outcome is
    /// Undetermined, naming that rule, so an unreadable rule never becomes a false accept or drop.
    /// </summary>
    internal static class RulesetJudge
    {
        /// <summary>How many ends the walk explores before it gives up as undetermined.</summary>
        public const int MaxEnds = 512;

        private const int MaxDepth = 32;

        public static RulesetOutcome Judge(FirewallRuleset ruleset, PacketClass packet)
        {
            IReadOnlyList<FirewallChain> bases = ruleset.BaseChains(packet.Hook);
            var walk = new Walk(ruleset, packet);
            List<End> ends = walk.Hook(bases, 0, WalkState.Initial, null).ToList();
            if (walk.Exhausted || ends.Count == 0)
            {
                End any = ends.FirstOrDefault(e => e.Uncertain is not null);
                return new RulesetOutcome(FirewallDecision.Undetermined, packet, null, null, false, null, null, ruleset.Source, any.Uncertain);
            }

            // The first end is the way that took no unknown match (they are explored "not matched" first).
            End first = ends[0];
            bool agree = ends.All(e => e.Decision == first.Decision && (e.Decision != FirewallDecision.Reject || e.RejectType == first.RejectType));
            if (!agree)
            {
                End uncertain = ends.First(e => e.Decision != first.Decision || e.RejectType != first.RejectType);
                return new RulesetOutcome(FirewallDecision.Undetermined, packet, null, null, false, null, null, ruleset.Source, uncertain.Uncertain ?? first.Uncertain);
            }

            FirewallOrigin? origin = first.Chain is null ? null : OriginRecognition.Recognise(ruleset, first.Chain, first.Rule, first.IsPolicy, first.RejectType);
            return new RulesetOutcome(first.Decision, packet, first.Chain, first.Rule, first.IsPolicy, first.RejectType, origin, ruleset.Source);
        }

        /// <summary>Where one way through the rules ended.</summary>
        private readonly record struct End(
            FirewallDecision Decision,
            FirewallChain? Chain,
            FirewallRule? Rule,
            bool IsPolicy,
            string? RejectType,
            WalkState State,
            bool Returned,
            (FirewallChain, FirewallRule)? Uncertain);

        private sealed class Walk
        {
            private readonly FirewallRuleset _ruleset;
            private readonly PacketClass _packet;
            private int _ends;

            public Walk(FirewallRuleset ruleset, PacketClass packet)
            {
                _ruleset = ruleset;
                _packet = packet;
            }

            public bool Exhausted { get; private set; }

            /// <summary>The base chains from index on; an accept (or a policy accept) moves on to the next.</summary>
            public IEnumerable<End> Hook(IReadOnlyList<FirewallChain> bases, int index, WalkState state, End? lastAccept)
            {
                if (index >= bases.Count)
                {
                    yield return lastAccept ?? new End(FirewallDecision.Accept, null, null, false, null, state, false, null);
                    yield break;
                }

                FirewallChain chain = bases[index];
                foreach (End end in Rules(chain, 0, state, 0, null))
                {
                    End final = end.Returned
                        ? new End(chain.Policy == "drop" ? FirewallDecision.Drop : FirewallDecision.Accept, chain, null, true, null, end.State, false, end.Uncertain)
                        : end;
                    if (final.Decision == FirewallDecision.Accept)
                    {
                        foreach (End next in Hook(bases, index + 1, final.State, final))
                        {
                            yield return next with { Uncertain = next.Uncertain ?? final.Uncertain };
                        }
                    }
                    else
                    {
                        yield return final;
                    }
                }
            }

            /// <summary>The rules of a chain from index on. A Returned end means the chain ran out or returned.</summary>
            private IEnumerable<End> Rules(FirewallChain chain, int index, WalkState state, int depth, (FirewallChain, FirewallRule)? uncertain)
            {
                for (int i = index; i < chain.Rules.Count; i++)
                {
                    if (Exhausted)
                    {
                        yield break;
                    }

                    FirewallRule rule = chain.Rules[i];
                    bool? matches = Matches(rule, state);
                    if (matches == false)
                    {
                        continue;
                    }

                    if (matches == true)
                    {
                        foreach (End end in Apply(chain, i, rule, rule.Action, state, depth, uncertain))
                        {
                            yield return end;
                        }

                        yield break;
                    }

                    // Unknown: a rule without a verdict changes nothing either way.
                    if (rule.Action.Kind == RuleActionKind.Continue && !rule.SetsMark)
                    {
                        continue;
                    }

                    (FirewallChain, FirewallRule) here = uncertain ?? (chain, rule);
                    foreach (End end in Rules(chain, i + 1, state, depth, here))
                    {
                        yield return end;
                    }

                    foreach (End end in Apply(chain, i, rule, rule.Action, state, depth, here))
                    {
                        yield return end;
                    }

                    yield break;
                }

                yield return Count(new End(FirewallDecision.Accept, chain, null, false, null, state, true, uncertain));
            }

            private IEnumerable<End> Apply(FirewallChain chain, int i, FirewallRule rule, RuleAction action, WalkState state, int depth, (FirewallChain, FirewallRule)? uncertain)
            {
                WalkState after = rule.SetsMark ? state with { Mark = null } : state;
                switch (action.Kind)
                {
                    case RuleActionKind.Continue:
                        foreach (End end in Rules(chain, i + 1, after, depth, uncertain))
                        {
                            yield return end;
                        }

                        break;
                    case RuleActionKind.Accept:
                        yield return Count(new End(FirewallDecision.Accept, chain, rule, false, null, after, false, uncertain));
                        break;
                    case RuleActionKind.Drop:
                        yield return Count(new End(FirewallDecision.Drop, chain, rule, false, null, after, false, uncertain));
                        break;
                    case RuleActionKind.Reject:
                        yield return Count(new End(FirewallDecision.Reject, chain, rule, false, action.RejectType, after, false, uncertain));
                        break;
                    case RuleActionKind.Return:
                        yield return Count(new End(FirewallDecision.Accept, chain, rule, false, null, after, true, uncertain));
                        break;
                    case RuleActionKind.Jump or RuleActionKind.Goto:
                        FirewallChain? target = action.Target is null ? null : _ruleset.Find(chain.Family, chain.Table, action.Target);
                        if (target is null || depth >= MaxDepth)
                        {
                            yield return Count(new End(FirewallDecision.Undetermined, chain, rule, false, null, after, false, uncertain ?? (chain, rule)));
                            break;
                        }

                        foreach (End end in Rules(target, 0, after, depth + 1, uncertain))
                        {
                            if (!end.Returned || action.Kind == RuleActionKind.Goto)
                            {
                                // A goto's chain returns to this chain's caller, as this chain's own end would.
                                yield return end;
                                continue;
                            }

                            foreach (End rest in Rules(chain, i + 1, end.State, depth, end.Uncertain))
                            {
                                yield return rest;
                            }
                        }

                        break;
                    case RuleActionKind.Map:
                        foreach (End end in Map(chain, i, rule, action.Map!, after, depth, uncertain))
                        {
                            yield return end;
                        }

                        break;
                    default:
                        yield return Count(new End(FirewallDecision.Undetermined, chain, rule, false, null, after, false, uncertain ?? (chain, rule)));
                        break;
                }
            }

            private IEnumerable<End> Map(FirewallChain chain, int i, FirewallRule rule, VerdictMap map, WalkState state, int depth, (FirewallChain, FirewallRule)? uncertain)
            {
                object key = map.Key(_packet, state);
                var possible = new List<RuleAction>();
                bool noEntryPossible = true;
                bool unknown = false;
                foreach ((ValuePattern pattern, RuleAction verdict) in map.Entries)
                {
                    bool? m = ReferenceEquals(key, FirewallValues.Absent) ? false : ReferenceEquals(key, FirewallValues.Unknown) ? null : pattern.Matches(key);
                    if (m == true)
                    {
                        possible.Add(verdict);
                        noEntryPossible = false;
                        unknown = false;
                        break;
                    }

                    if (m is null)
                    {
                        possible.Add(verdict);
                        unknown = true;
                    }
                }

                (FirewallChain, FirewallRule)? here = unknown ? uncertain ?? (chain, rule) : uncertain;
                if (noEntryPossible)
                {
                    foreach (End end in Rules(chain, i + 1, state, depth, here))
                    {
                        yield return end;
                    }
                }

                foreach (RuleAction verdict in possible)
                {
                    foreach (End end in Apply(chain, i, rule with { SetsMark = false }, verdict, state, depth, here))
                    {
                        yield return end;
                    }
                }
            }

            private bool? Matches(FirewallRule rule, WalkState state)
            {
                bool? all = true;
                foreach (RuleCondition condition in rule.Conditions)
                {
                    bool? m = condition.Test(_packet, state);
                    if (m == false)
                    {
                        return false;
                    }

                    if (m is null)
                    {
                        all = null;
                    }
                }

                return all;
            }

            private End Count(End end)
            {
                if (++_ends > MaxEnds)
                {
                    Exhausted = true;
                }

                return end;
            }
        }
    }
}
