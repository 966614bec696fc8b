using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Whether a server certificate's subject alternative names cover the address a client used, by kubectl's (Go's)
    /// rules: an IP address must be one of the IP names; a host name must equal a DNS name, ignoring case, or match a
    /// wildcard name in its left-most label only. The subject's CN is not consulted, as Go has not since 1.15.
    /// </summary>
    internal static class ServerCertificateNames
    {
        public static bool Cover(IEnumerable<string> names, string address)
        {
            ArgumentNullException.ThrowIfNull(names);
            ArgumentNullException.ThrowIfNull(address);
            string host = address.Trim('[', ']').TrimEnd('.');
            if (IPAddress.TryParse(host, out IPAddress? ip))
            {
                return names.Any(n => IPAddress.TryParse(n, out IPAddress? named) && named.Equals(ip));
            }

            return names.Where(n => !IPAddress.TryParse(n, out _)).Any(n => DnsMatches(n.TrimEnd('.'), host));
        }

        private static bool DnsMatches(string name, string host)
        {
            if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                int dot = host.IndexOf('.', StringComparison.Ordinal);
                return dot > 0 && string.Equals(name.Substring(1), host.Substring(dot), StringComparison.OrdinalIgnoreCase);
            }

            return string.Equals(name, host, StringComparison.OrdinalIgnoreCase);
        }
    }
}
