using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// The names K3sNet gives what it creates in a cluster: a run id, the namespace <c>k3snet-&lt;id&gt;</c>, pods
    /// <c>k3snet-&lt;kind&gt;-&lt;node&gt;</c>, and label values. All are DNS-1123 labels (lower case alphanumerics and
    /// '-', at most 63 characters), because node names may be longer and hold dots.
    /// </summary>
    internal static class ProbeNames
    {
        public const string Prefix = "k3snet-";

        /// <summary>The longest DNS-1123 label, and so the longest name or label value Kubernetes accepts here.</summary>
        public const int MaxLength = 63;

        private const int HashLength = 8;

        /// <summary>A fresh run id: 8 random hex digits (32 bits: runs that overlap never share a namespace in practice).</summary>
        public static string NewRunId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

        public static string Namespace(string runId) => Prefix + runId;

        /// <summary>True for a namespace name K3sNet could have made (k3snet- and 8 hex digits).</summary>
        public static bool IsRunNamespace(string name) =>
            name.StartsWith(Prefix, StringComparison.Ordinal)
            && name.Length == Prefix.Length + HashLength
            && name.AsSpan(Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;

        public static string KindName(ProbePodKind kind) => kind switch
        {
            ProbePodKind.Node => "node",
            ProbePodKind.PodNetwork => "pod",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        /// <summary>The pod for a node: <c>k3snet-node-k3s-agent-2</c>; a long or unusual node name is cut and given a short hash of the whole name.</summary>
        public static string Pod(ProbePodKind kind, string nodeName) => Label(Prefix + KindName(kind) + "-" + nodeName);

        /// <summary>
        /// <paramref name="text"/> as a DNS-1123 label: lower case, every other character '-', no '-' at either end.
        /// When that changed more than the case, or the text is too long, a hash of the original keeps two names apart
        /// that would otherwise read the same (node.a and node-a).
        /// </summary>
        public static string Label(string text)
        {
            var builder = new StringBuilder(text.Length);
            foreach (char c in text.ToLowerInvariant())
            {
                builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-');
            }

            string cleaned = builder.ToString().Trim('-');
            bool changed = !string.Equals(cleaned, text.ToLowerInvariant(), StringComparison.Ordinal);
            if (!changed && cleaned.Length <= MaxLength && cleaned.Length > 0)
            {
                return cleaned;
            }

            string hash = Hash(text);
            int keep = Math.Min(cleaned.Length, MaxLength - HashLength - 1);
            string head = cleaned.Substring(0, keep).TrimEnd('-');
            return head.Length == 0 ? hash : head + "-" + hash;
        }

        private static string Hash(string text) =>
            Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, HashLength / 2).ToLowerInvariant();

        /// <summary>How long ago, in words, for the leftover warning.</summary>
        public static string Age(TimeSpan age) => age.TotalMinutes < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)age.TotalSeconds)} s")
            : age.TotalHours < 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes} min")
                : age.TotalDays < 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h {age.Minutes} min")
                    : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} d {age.Hours} h");
    }
}
