using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// Field selectors as the API server reads them: <c>field=value</c>, <c>field==value</c>, <c>field!=value</c>,
    /// joined by commas (all must hold), over the fields the resource supports (pods: metadata.name,
    /// metadata.namespace, spec.nodeName, status.phase); any other field is a 400, as "field label not supported".
    /// </summary>
    public sealed class FieldSelector
    {
        /// <summary>The fields every resource supports.</summary>
        public static readonly IReadOnlyList<string> ObjectFields = new[] { "metadata.name", "metadata.namespace" };

        /// <summary>The fields a pod list supports (the ones K3sNet and kubectl use).</summary>
        public static readonly IReadOnlyList<string> PodFields = new[] { "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase" };

        private readonly IReadOnlyList<(string Field, string Value, bool Equal)> _requirements;

        private FieldSelector(IReadOnlyList<(string, string, bool)> requirements) => _requirements = requirements;

        public static bool TryParse(string? text, IReadOnlyList<string> supported, out FieldSelector selector, out string? error)
        {
            var requirements = new List<(string, string, bool)>();
            selector = new FieldSelector(requirements);
            error = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return true;
            }

            foreach (string part in text.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0))
            {
                int notEquals = part.IndexOf("!=", StringComparison.Ordinal);
                int equals = part.IndexOf('=', StringComparison.Ordinal);
                string field;
                string value;
                bool equal;
                if (notEquals > 0)
                {
                    (field, value, equal) = (part[..notEquals], part[(notEquals + 2)..], false);
                }
                else if (equals > 0)
                {
                    (field, value, equal) = (part[..equals], part[(equals + 1)..].TrimStart('='), true);
                }
                else
                {
                    error = $"invalid selector: '{text}'; can't understand '{part}'";
                    return false;
                }

                field = field.Trim();
                if (!supported.Contains(field, StringComparer.Ordinal))
                {
                    error = $"field label not supported: {field}";
                    return false;
                }

                requirements.Add((field, value.Trim(), equal));
            }

            return true;
        }

        public bool Matches(JsonObject item) =>
            _requirements.All(r => (ValueOf(item, r.Field) == r.Value) == r.Equal);

        /// <summary>A field's value as the selector compares it: an absent field is the empty string.</summary>
        public static string ValueOf(JsonObject item, string field)
        {
            JsonNode? node = item;
            foreach (string step in field.Split('.'))
            {
                node = node?[step];
            }

            return node is JsonValue value && value.TryGetValue(out string? text) ? text : string.Empty;
        }
    }
}
