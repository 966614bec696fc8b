using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// One EC2 Query-protocol request: the form fields of the POST body. Lists are <c>Name.N</c> (1-based) and nested
    /// <c>A.N.B.M</c>; a list ends at the first missing index, as AWS reads it.
    /// </summary>
    internal sealed class QueryRequest
    {
        private readonly IReadOnlyDictionary<string, string> _fields;

        public QueryRequest(IReadOnlyDictionary<string, string> fields)
        {
            _fields = fields;
        }

        public string Action => Get("Action") ?? string.Empty;

        public bool DryRun => string.Equals(Get("DryRun"), "true", StringComparison.OrdinalIgnoreCase);

        public string? Get(string key) => _fields.TryGetValue(key, out string? value) ? value : null;

        public int? GetInt(string key) =>
            Get(key) is string text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

        /// <summary>The values of <c>prefix.1</c>, <c>prefix.2</c>, … .</summary>
        public List<string> List(string prefix)
        {
            var values = new List<string>();
            for (int i = 1; Get($"{prefix}.{i}") is string value; i++)
            {
                values.Add(value);
            }

            return values;
        }

        /// <summary>The indexes N for which some key starts with <c>prefix.N.</c>.</summary>
        public List<string> Members(string prefix)
        {
            var members = new List<string>();
            for (int i = 1; _fields.Keys.Any(k => k.StartsWith($"{prefix}.{i}.", StringComparison.Ordinal)); i++)
            {
                members.Add($"{prefix}.{i}");
            }

            return members;
        }

        /// <summary>Filter.N.Name with Filter.N.Value.M: names ANDed, values of one name ORed.</summary>
        public Dictionary<string, List<string>> Filters()
        {
            var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string member in Members("Filter"))
            {
                string name = Get(member + ".Name") ?? string.Empty;
                if (!filters.TryGetValue(name, out List<string>? values))
                {
                    values = new List<string>();
                    filters[name] = values;
                }

                values.AddRange(List(member + ".Value"));
            }

            return filters;
        }

        /// <summary>IpPermissions.N as rules, one per source (a permission with 3 CIDRs is 3 rules).</summary>
        public List<RuleState> Permissions()
        {
            var rules = new List<RuleState>();
            foreach (string permission in Members("IpPermissions"))
            {
                string protocol = Get(permission + ".IpProtocol") ?? "-1";
                int? from = GetInt(permission + ".FromPort");
                int? to = GetInt(permission + ".ToPort");
                RuleState Rule() => new() { IpProtocol = protocol, FromPort = from, ToPort = to };

                foreach (string range in Members(permission + ".IpRanges"))
                {
                    RuleState rule = Rule();
                    rule.CidrIpv4 = Get(range + ".CidrIp");
                    rule.Description = Get(range + ".Description");
                    rules.Add(rule);
                }

                foreach (string range in Members(permission + ".Ipv6Ranges"))
                {
                    RuleState rule = Rule();
                    rule.CidrIpv6 = Get(range + ".CidrIpv6");
                    rule.Description = Get(range + ".Description");
                    rules.Add(rule);
                }

                // The .NET property is UserIdGroupPairs; the wire key is Groups.
                foreach (string pair in Members(permission + ".Groups"))
                {
                    RuleState rule = Rule();
                    rule.ReferencedGroupId = Get(pair + ".GroupId");
                    rule.Description = Get(pair + ".Description");
                    rules.Add(rule);
                }

                foreach (string list in Members(permission + ".PrefixListIds"))
                {
                    RuleState rule = Rule();
                    rule.PrefixListId = Get(list + ".PrefixListId");
                    rule.Description = Get(list + ".Description");
                    rules.Add(rule);
                }
            }

            return rules;
        }
    }
}
