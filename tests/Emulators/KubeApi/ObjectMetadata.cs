using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>What the API server fills into every new object's metadata, and the names it accepts.</summary>
    internal static partial class ObjectMetadata
    {
        // The alphabet of Kubernetes' rand.String: no vowels, no confusable digits.
        private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

        public const string Rfc1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

        public const string Rfc1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

        public static string Now() => Timestamp(DateTimeOffset.UtcNow);

        public static string Timestamp(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public static string RandomSuffix(int length = 5) =>
            new(Enumerable.Range(0, length).Select(_ => SuffixAlphabet[RandomNumberGenerator.GetInt32(SuffixAlphabet.Length)]).ToArray());

        public static bool IsSubdomain(string name) => name.Length <= 253 && SubdomainPattern().IsMatch(name);

        public static bool IsLabel(string name) => name.Length <= 63 && LabelPattern().IsMatch(name);

        /// <summary>
        /// Names the object from generateName when it has no name, and sets uid, creationTimestamp, namespace (for a
        /// namespaced object) and generation (for a controller object). The resourceVersion is the store's.
        /// </summary>
        public static JsonObject Fill(JsonObject item, string? ns, bool hasGeneration = false)
        {
            var metadata = item["metadata"] as JsonObject ?? new JsonObject();
            item["metadata"] = metadata;
            if (string.IsNullOrEmpty((string?)metadata["name"]) && (string?)metadata["generateName"] is { Length: > 0 } prefix)
            {
                metadata["name"] = prefix + RandomSuffix();
            }

            if (ns is not null)
            {
                metadata["namespace"] = ns;
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Now();
            metadata.Remove("resourceVersion");
            metadata.Remove("deletionTimestamp");
            if (hasGeneration)
            {
                metadata["generation"] = 1;
            }

            return item;
        }

        [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
        private static partial Regex SubdomainPattern();

        [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
        private static partial Regex LabelPattern();
    }
}
