using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The default scheduler's filters that matter for placing probes: a cordoned node, taints the pod does not
    /// tolerate (NoSchedule, NoExecute), nodeSelector and required node affinity (matchExpressions on labels,
    /// matchFields on metadata.name). Among the nodes that fit it picks the one with the fewest pods. When none fits,
    /// the PodScheduled message is the scheduler's histogram of reasons.
    /// </summary>
    internal static class Scheduler
    {
        public static (string? Node, string? Message) Pick(JsonObject pod, IReadOnlyList<JsonObject> nodes, Func<string, int> podsOnNode)
        {
            var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
            var fitting = new List<string>();
            foreach (JsonObject node in nodes)
            {
                string? reason = WhyNot(pod, node);
                if (reason is null)
                {
                    fitting.Add(ClusterObjects.NameOf(node)!);
                }
                else
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
            }

            if (fitting.Count > 0)
            {
                return (fitting.OrderBy(podsOnNode).ThenBy(n => n, StringComparer.Ordinal).First(), null);
            }

            // As the scheduler's FitError: "<count> <reason>" sorted as strings, then the preemption verdict.
            string histogram = string.Join(", ", reasons.Select(r => $"{r.Value} {r.Key}").OrderBy(r => r, StringComparer.Ordinal));
            string total = nodes.Count.ToString(CultureInfo.InvariantCulture);
            return (null, $"0/{total} nodes are available: {histogram}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.");
        }

        /// <summary>Why the pod cannot go to the node (the first filter that fails, in the scheduler's order), or null when it fits.</summary>
        public static string? WhyNot(JsonObject pod, JsonObject node)
        {
            JsonArray tolerations = pod["spec"]?["tolerations"] as JsonArray ?? new JsonArray();
            if ((bool?)node["spec"]?["unschedulable"] == true
                && !tolerations.OfType<JsonObject>().Any(t => Tolerates(t, "node.kubernetes.io/unschedulable", string.Empty, "NoSchedule")))
            {
                return "node(s) were unschedulable";
            }

            foreach (JsonObject taint in (node["spec"]?["taints"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                string effect = (string?)taint["effect"] ?? string.Empty;
                string key = (string?)taint["key"] ?? string.Empty;
                string value = (string?)taint["value"] ?? string.Empty;
                if ((effect == "NoSchedule" || effect == "NoExecute") && !tolerations.OfType<JsonObject>().Any(t => Tolerates(t, key, value, effect)))
                {
                    return $"node(s) had untolerated taint {{{key}: {value}}}";
                }
            }

            return MatchesSelectorAndAffinity(pod, node) ? null : "node(s) didn't match Pod's node affinity/selector";
        }

        /// <summary>True when the pod tolerates every NoSchedule/NoExecute taint of the node (what the DaemonSet controller asks).</summary>
        public static bool ToleratesTaints(JsonObject podSpec, JsonObject node)
        {
            JsonArray tolerations = podSpec["tolerations"] as JsonArray ?? new JsonArray();
            return (node["spec"]?["taints"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().All(taint =>
            {
                string effect = (string?)taint["effect"] ?? string.Empty;
                return (effect != "NoSchedule" && effect != "NoExecute")
                    || tolerations.OfType<JsonObject>().Any(t => Tolerates(t, (string?)taint["key"] ?? string.Empty, (string?)taint["value"] ?? string.Empty, effect));
            });
        }

        public static bool Tolerates(JsonObject toleration, string key, string value, string effect)
        {
            string tolerationEffect = (string?)toleration["effect"] ?? string.Empty;
            if (tolerationEffect.Length > 0 && tolerationEffect != effect)
            {
                return false;
            }

            string tolerationKey = (string?)toleration["key"] ?? string.Empty;
            return ((string?)toleration["operator"] ?? "Equal") switch
            {
                "Exists" => tolerationKey.Length == 0 || tolerationKey == key,
                _ => tolerationKey == key && ((string?)toleration["value"] ?? string.Empty) == value,
            };
        }

        public static bool MatchesSelectorAndAffinity(JsonObject pod, JsonObject node)
        {
            IReadOnlyDictionary<string, string> labels = ClusterObjects.LabelsOf(node);
            if (pod["spec"]?["nodeSelector"] is JsonObject selector
                && selector.Any(s => !labels.TryGetValue(s.Key, out string? actual) || actual != (string?)s.Value))
            {
                return false;
            }

            if (pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] is not JsonArray terms || terms.Count == 0)
            {
                return true;
            }

            var fields = new Dictionary<string, string> { ["metadata.name"] = ClusterObjects.NameOf(node)! };
            return terms.OfType<JsonObject>().Any(term =>
                (term["matchExpressions"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().All(e => Holds(e, labels))
                && (term["matchFields"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().All(e => Holds(e, fields))
                && (term["matchExpressions"] is JsonArray { Count: > 0 } || term["matchFields"] is JsonArray { Count: > 0 }));
        }

        private static bool Holds(JsonObject requirement, IReadOnlyDictionary<string, string> values)
        {
            string key = (string?)requirement["key"] ?? string.Empty;
            string[] wanted = (requirement["values"] as JsonArray ?? new JsonArray()).Select(v => (string?)v ?? string.Empty).ToArray();
            bool has = values.TryGetValue(key, out string? actual);
            return (string?)requirement["operator"] switch
            {
                "In" => has && wanted.Contains(actual),
                "NotIn" => !has || !wanted.Contains(actual),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
        }
    }
}
