using System;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace K3sNet.PodNetwork
{
    /// <summary>
    /// A name outside the cluster that pods must reach, as -Egress gives it ("ssm.us-east-1.amazonaws.com:443"). Only a
    /// DNS name: the pods resolve it through the cluster DNS, as a workload would, and connect to what it answers; an IP
    /// literal would test neither.
    /// </summary>
    internal sealed partial record EgressTarget(string Name, int Port)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}:{Port}");

        /// <summary>Reads name:port; false with the problem in one sentence when it is not one.</summary>
        public static bool TryParse(string? text, out EgressTarget? target, out string problem)
        {
            target = null;
            problem = string.Empty;
            text = text?.Trim() ?? string.Empty;
            int colon = text.LastIndexOf(':');
            if (colon <= 0 || colon == text.Length - 1)
            {
                problem = $"'{text}' is not name:port (such as ssm.us-east-1.amazonaws.com:443).";
                return false;
            }

            string name = text[..colon].TrimEnd('.').ToLowerInvariant();
            if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                problem = $"The port of '{text}' is not a number from 1 to 65535.";
                return false;
            }

            if (IPAddress.TryParse(name.Trim('[', ']'), out _))
            {
                problem = $"'{name}' is an address, not a name: -Egress tests that pods resolve a name through the cluster DNS and reach it, so give the name (such as ssm.us-east-1.amazonaws.com:443).";
                return false;
            }

            if (!IsDnsName(name))
            {
                problem = $"'{name}' is not a DNS name: letters, digits and hyphens in labels of at most 63 characters, separated by dots.";
                return false;
            }

            target = new EgressTarget(name, port);
            return true;
        }

        /// <summary>A host name as DNS allows it (RFC 1123 labels), and nothing a shell could read as anything else.</summary>
        public static bool IsDnsName(string name) => name.Length is > 0 and <= 253 && DnsName().IsMatch(name);

        [GeneratedRegex("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
        private static partial Regex DnsName();
    }
}
