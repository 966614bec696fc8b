using System;
using System.Text.RegularExpressions;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Reads spec.providerID. The AWS cloud provider writes <c>aws:///&lt;zone&gt;/&lt;instance-id&gt;</c> and also
    /// accepts <c>aws:////&lt;instance-id&gt;</c> and a bare <c>i-…</c>; k3s's own cloud controller writes
    /// <c>k3s://&lt;node-name&gt;</c>, which names no instance.
    /// </summary>
    internal static class ProviderId
    {
        private static readonly Regex InstanceId = new("^i-[^/]*$", RegexOptions.CultureInvariant);

        public static (string? InstanceId, string? Zone) Parse(string? providerId)
        {
            if (string.IsNullOrWhiteSpace(providerId))
            {
                return (null, null);
            }

            if (InstanceId.IsMatch(providerId))
            {
                return (providerId, null);
            }

            const string AwsScheme = "aws://";
            if (!providerId.StartsWith(AwsScheme, StringComparison.OrdinalIgnoreCase))
            {
                return (null, null);
            }

            // aws:///zone/i-x splits into "", "zone", "i-x"; aws:////i-x into "", "", "i-x".
            string[] parts = providerId.Substring(AwsScheme.Length).Split('/');
            string last = parts[^1];
            if (!InstanceId.IsMatch(last))
            {
                return (null, null);
            }

            string? zone = parts.Length >= 2 && parts[^2].Length > 0 ? parts[^2] : null;
            return (last, zone);
        }
    }
}
