using System;
using System.Globalization;
using System.Security.Cryptography;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// The names of the probe namespace and its veth (pure). Both carry the creating process's id, so a later run
    /// removes exactly those whose process is gone (a run that was killed) and never a concurrent run's.
    /// </summary>
    internal static class PodProbeNames
    {
        public const string NamespacePrefix = "k3snet-probe-";

        /// <summary>The host end's prefix: an interface name has at most 15 characters, so it is short.</summary>
        public const string VethPrefix = "k3snp";

        /// <summary>"k3snet-probe-&lt;pid&gt;-&lt;4 hex&gt;" and "k3snp&lt;pid&gt;x&lt;2 hex&gt;" (at most 15 characters for a pid up to 4194304).</summary>
        public static (string Namespace, string Veth) For(int processId)
        {
            string pid = processId.ToString(CultureInfo.InvariantCulture);
            string random = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
            return ($"{NamespacePrefix}{pid}-{random}", $"{VethPrefix}{pid}x{random[..2]}");
        }

        /// <summary>The process id in a probe namespace's name; null when the name is not one.</summary>
        public static int? ProcessOfNamespace(string name)
        {
            if (!name.StartsWith(NamespacePrefix, StringComparison.Ordinal))
            {
                return null;
            }

            string rest = name[NamespacePrefix.Length..];
            int dash = rest.IndexOf('-');
            return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }

        /// <summary>The process id in a probe veth's name; null when the name is not one.</summary>
        public static int? ProcessOfVeth(string name)
        {
            if (!name.StartsWith(VethPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            string rest = name[VethPrefix.Length..];
            int x = rest.IndexOf('x');
            return x > 0 && int.TryParse(rest[..x], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
    }
}
