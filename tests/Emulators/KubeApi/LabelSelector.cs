using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// Equality-based label selectors as the API server reads them: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>,
    /// <c>!k</c>, joined by commas (all must hold). Set-based selectors are answered 400, as a parse error.
    /// </summary>
    public sealed class LabelSelector
    {
        private readonly IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> _requirements;

        private LabelSelector(IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> requirements) => _requirements = requirements;

        public static bool TryParse(string? text, out LabelSelector selector, out string? error)
        {
            var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
            selector = new LabelSelector(requirements);
            error = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return true;
            }

            foreach (string part in text.Split(',').Select(p => p.Trim()))
            {
                if (part.Contains(" in ", StringComparison.Ordinal) || part.Contains(" notin ", StringComparison.Ordinal) || part.Contains('('))
                {
                    error = $"unable to parse requirement: set-based selector '{part}' is not supported by the emulator";
                    return false;
                }

                int notEquals = part.IndexOf("!=", StringComparison.Ordinal);
                int equals = part.IndexOf('=', StringComparison.Ordinal);
                if (notEquals > 0)
                {
                    string key = part[..notEquals].Trim();
                    string value = part[(notEquals + 2)..].Trim();
                    requirements.Add(labels => !labels.TryGetValue(key, out string? actual) || actual != value);
                }
                else if (equals > 0)
                {
                    string key = part[..equals].Trim();
                    string value = part[(equals + 1)..].TrimStart('=').Trim();
                    requirements.Add(labels => labels.TryGetValue(key, out string? actual) && actual == value);
                }
                else if (part.StartsWith('!') && part.Length > 1)
                {
                    string key = part[1..];
                    requirements.Add(labels => !labels.ContainsKey(key));
                }
                else if (part.Length > 0 && !part.Contains('='))
                {
                    string key = part;
                    requirements.Add(labels => labels.ContainsKey(key));
                }
                else
                {
                    error = $"unable to parse requirement: '{part}'";
                    return false;
                }
            }

            return true;
        }

        public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));
    }
}
