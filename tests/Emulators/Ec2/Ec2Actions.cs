using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Xml.Linq;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// The EC2 actions K3sNet uses, on an <see cref="Ec2State"/>, answering with AWS's element names. Not thread-safe:
    /// the emulator calls it under its lock, so Authorize and Revoke are atomic.
    /// </summary>
    internal sealed class Ec2Actions
    {
        public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

        /// <summary>Inbound rules per security group, IPv4 and IPv6 counted separately (the default quota).</summary>
        public const int RulesPerGroup = 60;

        private readonly Ec2State _state;
        private int _nextRuleId = 1;

        /// <summary>How short pages are (the emulator sets it on demand); full pages by default.</summary>
        public Ec2Paging Paging { get; set; } = Ec2Paging.Full;

        public Ec2Actions(Ec2State state)
        {
            _state = state;
            foreach (SecurityGroupState group in _state.SecurityGroups)
            {
                foreach (RuleState rule in group.Ingress.Concat(group.Egress))
                {
                    rule.RuleId ??= NewRuleId();
                }
            }
        }

        /// <summary>The actions that change state: the change hook runs after each that succeeds.</summary>
        public static bool Mutates(string action) =>
            action is "AuthorizeSecurityGroupIngress" or "RevokeSecurityGroupIngress";

        public static bool IsKnown(string action) => action is "DescribeInstances" or "DescribeSecurityGroups"
            or "DescribeSecurityGroupRules" or "DescribeNetworkAcls" or "DescribeVpcs" or "AuthorizeSecurityGroupIngress"
            or "RevokeSecurityGroupIngress" or "DescribeNetworkInterfaces" or "DescribeSubnets";

        public IEnumerable<object> Run(QueryRequest request) => request.Action switch
        {
            "DescribeInstances" => DescribeInstances(request),
            "DescribeSecurityGroups" => DescribeSecurityGroups(request),
            "DescribeSecurityGroupRules" => DescribeSecurityGroupRules(request),
            "DescribeNetworkAcls" => DescribeNetworkAcls(request),
            "DescribeVpcs" => DescribeVpcs(request),
            "AuthorizeSecurityGroupIngress" => Authorize(request),
            "RevokeSecurityGroupIngress" => Revoke(request),
            "DescribeNetworkInterfaces" => DescribeNetworkInterfaces(request),
            "DescribeSubnets" => DescribeSubnets(request),
            _ => throw Ec2Error.BadRequest("InvalidAction", $"The action {request.Action} is not valid for this web service."),
        };

        private static XElement E(string name, params object?[] content) => new(Ns + name, content);

        private static XElement Items(string name, IEnumerable<XElement> items) => E(name, items.Select(i => E("item", i.Elements())));

        private static string Lower(bool value) => value ? "true" : "false";

        // ---- DescribeInstances -------------------------------------------------------------------------------------

        private IEnumerable<object> DescribeInstances(QueryRequest request)
        {
            List<string> ids = request.List("InstanceId");
            int? maxResults = request.GetInt("MaxResults");
            if (ids.Count > 0 && maxResults is not null)
            {
                throw Ec2Error.BadRequest("InvalidParameterCombination",
                    "The parameter instancesSet cannot be used with the parameter maxResults");
            }

            CheckMaxResults(maxResults, 5, 1000);
            foreach (string id in ids.Where(id => _state.Instances.All(i => i.InstanceId != id)))
            {
                throw id.StartsWith("i-", StringComparison.Ordinal)
                    ? Ec2Error.BadRequest("InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist")
                    : Ec2Error.BadRequest("InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
            }

            Dictionary<string, List<string>> filters = request.Filters();
            IEnumerable<InstanceState> matching = _state.Instances
                .Where(i => ids.Count == 0 || ids.Contains(i.InstanceId))
                .Where(i => filters.All(f => InstanceMatches(i, f.Key, f.Value)));

            // Pages count reservations, not instances.
            List<IGrouping<string, InstanceState>> reservations = matching
                .GroupBy(i => i.ReservationId ?? "r-" + i.InstanceId.Substring(2))
                .ToList();
            (List<IGrouping<string, InstanceState>> page, string? next) = Page(reservations, request.Get("NextToken"), maxResults);

            yield return Items("reservationSet", page.Select(r => E("item",
                E("reservationId", r.Key),
                E("ownerId", _state.OwnerId),
                E("groupSet"),
                Items("instancesSet", r.Select(InstanceXml)))));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        private bool InstanceMatches(InstanceState instance, string name, List<string> values)
        {
            IEnumerable<string?> actual = name switch
            {
                "instance-id" => new[] { instance.InstanceId },
                "private-ip-address" => new[] { instance.PrivateIpAddress },
                "network-interface.addresses.private-ip-address" =>
                    instance.SecondaryPrivateIpAddresses.Prepend(instance.PrivateIpAddress)
                        .Concat(instance.NetworkInterfaces.SelectMany(n => n.PrivateIpAddresses)),
                "ip-address" => new[] { instance.PublicIpAddress },
                "instance-state-name" => new[] { instance.State },
                "vpc-id" => new[] { instance.VpcId },
                "subnet-id" => new[] { instance.SubnetId },
                "instance.group-id" => instance.GroupIds,
                _ when name.StartsWith("tag:", StringComparison.Ordinal) =>
                    instance.Tags.TryGetValue(name.Substring(4), out string? tag) ? new[] { tag } : Array.Empty<string>(),
                _ => throw Ec2Error.BadRequest("InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
            return actual.Any(a => a is not null && values.Contains(a));
        }

        private static readonly Dictionary<string, int> StateCodes = new(StringComparer.Ordinal)
        {
            ["pending"] = 0, ["running"] = 16, ["shutting-down"] = 32, ["terminated"] = 48, ["stopping"] = 64, ["stopped"] = 80,
        };

        private XElement InstanceXml(InstanceState i)
        {
            XElement GroupSet() => GroupSetXml(i.GroupIds);
            IEnumerable<string> privateIps = i.SecondaryPrivateIpAddresses.Prepend(i.PrivateIpAddress ?? string.Empty);
            return E("item",
                E("instanceId", i.InstanceId),
                E("instanceState", E("code", StateCodes.GetValueOrDefault(i.State, 16)), E("name", i.State)),
                E("placement", E("availabilityZone", i.AvailabilityZone ?? "us-east-1a")),
                i.SubnetId is null ? null : E("subnetId", i.SubnetId),
                i.VpcId is null ? null : E("vpcId", i.VpcId),
                i.PrivateIpAddress is null ? null : E("privateIpAddress", i.PrivateIpAddress),
                i.PublicIpAddress is null ? null : E("ipAddress", i.PublicIpAddress),
                E("sourceDestCheck", "true"),
                GroupSet(),
                Items("networkInterfaceSet", new[]
                {
                    E("item",
                        E("networkInterfaceId", i.NetworkInterfaceId ?? "eni-" + i.InstanceId.Substring(2)),
                        i.SubnetId is null ? null : E("subnetId", i.SubnetId),
                        i.VpcId is null ? null : E("vpcId", i.VpcId),
                        i.PrivateIpAddress is null ? null : E("privateIpAddress", i.PrivateIpAddress),
                        E("sourceDestCheck", "true"),
                        GroupSet(),
                        Items("privateIpAddressesSet", privateIps.Select((ip, n) => E("item",
                            E("privateIpAddress", ip), E("primary", Lower(n == 0))))),
                        Items("ipv6AddressesSet", i.Ipv6Addresses.Select(ip => E("item", E("ipv6Address", ip))))),
                }.Concat(i.NetworkInterfaces.Select((n, index) => SecondaryInterfaceXml(i, n, index + 1)))),
                Items("tagSet", i.Tags.Select(t => E("item", E("key", t.Key), E("value", t.Value)))));
        }

        /// <summary>Each interface reports its own groups, as EC2 does; the instance's groupSet is its primary interface's.</summary>
        private XElement GroupSetXml(IEnumerable<string> groupIds) => Items("groupSet", groupIds.Select(g => E("item",
            E("groupId", g), E("groupName", _state.SecurityGroups.FirstOrDefault(s => s.GroupId == g)?.GroupName ?? g))));

        private XElement SecondaryInterfaceXml(InstanceState instance, NetworkInterfaceState n, int deviceIndex) => E("item",
            E("networkInterfaceId", n.NetworkInterfaceId),
            (n.SubnetId ?? instance.SubnetId) is string subnet ? E("subnetId", subnet) : null,
            (n.VpcId ?? instance.VpcId) is string vpc ? E("vpcId", vpc) : null,
            n.PrivateIpAddresses.Count == 0 ? null : E("privateIpAddress", n.PrivateIpAddresses[0]),
            E("sourceDestCheck", "true"),
            GroupSetXml(n.GroupIds),
            E("attachment", E("attachmentId", "eni-attach-" + n.NetworkInterfaceId.Replace("eni-", string.Empty, StringComparison.Ordinal)),
                E("deviceIndex", deviceIndex), E("status", "attached")),
            Items("privateIpAddressesSet", n.PrivateIpAddresses.Select((ip, k) => E("item", E("privateIpAddress", ip), E("primary", Lower(k == 0))))),
            Items("ipv6AddressesSet", n.Ipv6Addresses.Select(ip => E("item", E("ipv6Address", ip)))));

        // ---- Security groups ---------------------------------------------------------------------------------------

        private SecurityGroupState Group(string id)
        {
            if (!id.StartsWith("sg-", StringComparison.Ordinal))
            {
                throw Ec2Error.BadRequest("InvalidGroupId.Malformed", $"Invalid id: \"{id}\" (expecting \"sg-...\")");
            }

            return _state.SecurityGroups.FirstOrDefault(g => g.GroupId == id)
                ?? throw Ec2Error.BadRequest("InvalidGroup.NotFound", $"The security group '{id}' does not exist");
        }

        private IEnumerable<object> DescribeSecurityGroups(QueryRequest request)
        {
            int? maxResults = request.GetInt("MaxResults");
            CheckMaxResults(maxResults, 5, 1000);
            List<string> ids = request.List("GroupId");
            List<SecurityGroupState> groups = ids.Count == 0 ? _state.SecurityGroups : ids.Select(Group).ToList();
            Dictionary<string, List<string>> filters = request.Filters();
            List<SecurityGroupState> matching = groups.Where(g => filters.All(f => f.Key switch
            {
                "group-id" => f.Value.Contains(g.GroupId),
                "group-name" => f.Value.Contains(g.GroupName),
                "vpc-id" => g.VpcId is not null && f.Value.Contains(g.VpcId),
                _ => throw Ec2Error.BadRequest("InvalidParameterValue", $"The filter '{f.Key}' is invalid"),
            })).ToList();
            (List<SecurityGroupState> page, string? next) = Page(matching, request.Get("NextToken"), maxResults);

            yield return Items("securityGroupInfo", page.Select(g => E("item",
                E("ownerId", _state.OwnerId),
                E("groupId", g.GroupId),
                E("groupName", g.GroupName),
                E("groupDescription", g.Description),
                g.VpcId is null ? null : E("vpcId", g.VpcId),
                Items("ipPermissions", PermissionsXml(g.Ingress)),
                Items("ipPermissionsEgress", PermissionsXml(g.Egress)),
                E("tagSet"))));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        /// <summary>Rules grouped back into permissions: one per protocol and port range, each listing its sources.</summary>
        private IEnumerable<XElement> PermissionsXml(List<RuleState> rules) =>
            rules.GroupBy(r => (r.IpProtocol, r.FromPort, r.ToPort)).Select(p => E("item",
                E("ipProtocol", p.Key.IpProtocol),
                p.Key.IpProtocol == "-1" || p.Key.FromPort is null ? null : E("fromPort", p.Key.FromPort),
                p.Key.IpProtocol == "-1" || p.Key.ToPort is null ? null : E("toPort", p.Key.ToPort),
                Items("groups", p.Where(r => r.ReferencedGroupId is not null).Select(r => E("item",
                    E("userId", _state.OwnerId), E("groupId", r.ReferencedGroupId), Description(r)))),
                Items("ipRanges", p.Where(r => r.CidrIpv4 is not null).Select(r => E("item", E("cidrIp", r.CidrIpv4), Description(r)))),
                Items("ipv6Ranges", p.Where(r => r.CidrIpv6 is not null).Select(r => E("item", E("cidrIpv6", r.CidrIpv6), Description(r)))),
                Items("prefixListIds", p.Where(r => r.PrefixListId is not null).Select(r => E("item",
                    E("prefixListId", r.PrefixListId), Description(r))))));

        private static XElement? Description(RuleState rule) => rule.Description is null ? null : E("description", rule.Description);

        private IEnumerable<object> DescribeSecurityGroupRules(QueryRequest request)
        {
            int? maxResults = request.GetInt("MaxResults");
            CheckMaxResults(maxResults, 5, 1000);
            Dictionary<string, List<string>> filters = request.Filters();
            List<string> ruleIds = request.List("SecurityGroupRuleId");
            var all = _state.SecurityGroups
                .SelectMany(g => g.Ingress.Select(r => (Group: g, Rule: r, Egress: false))
                    .Concat(g.Egress.Select(r => (Group: g, Rule: r, Egress: true))))
                .Where(x => ruleIds.Count == 0 || ruleIds.Contains(x.Rule.RuleId!))
                .Where(x => filters.All(f => f.Key switch
                {
                    "group-id" => f.Value.Contains(x.Group.GroupId),
                    "security-group-rule-id" => f.Value.Contains(x.Rule.RuleId!),
                    _ => throw Ec2Error.BadRequest("InvalidParameterValue", $"The filter '{f.Key}' is invalid"),
                }))
                .ToList();
            (var page, string? next) = Page(all, request.Get("NextToken"), maxResults);
            yield return Items("securityGroupRuleSet", page.Select(x => RuleXml(x.Group, x.Rule, x.Egress)));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        private XElement RuleXml(SecurityGroupState group, RuleState r, bool egress) => E("item",
            E("securityGroupRuleId", r.RuleId),
            E("groupId", group.GroupId),
            E("groupOwnerId", _state.OwnerId),
            E("isEgress", Lower(egress)),
            E("ipProtocol", r.IpProtocol),
            E("fromPort", r.IpProtocol == "-1" ? -1 : r.FromPort ?? -1),
            E("toPort", r.IpProtocol == "-1" ? -1 : r.ToPort ?? -1),
            r.CidrIpv4 is null ? null : E("cidrIpv4", r.CidrIpv4),
            r.CidrIpv6 is null ? null : E("cidrIpv6", r.CidrIpv6),
            r.PrefixListId is null ? null : E("prefixListId", r.PrefixListId),
            r.ReferencedGroupId is null ? null : E("referencedGroupInfo", E("groupId", r.ReferencedGroupId), E("userId", _state.OwnerId)),
            Description(r));

        private IEnumerable<object> Authorize(QueryRequest request)
        {
            SecurityGroupState group = Group(request.Get("GroupId") ?? throw Ec2Error.BadRequest(
                "MissingParameter", "The request must contain the parameter groupId"));
            List<RuleState> rules = request.Permissions().Select(Canonical).ToList();
            if (rules.Count == 0)
            {
                throw Ec2Error.BadRequest("MissingParameter", "The request must contain the parameter ipPermissions");
            }

            foreach (RuleState existing in group.Ingress.Where(r => r.RuleId is null))
            {
                existing.RuleId = NewRuleId();
            }

            // Validate everything, then add: the call is atomic.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (RuleState rule in rules)
            {
                if (!seen.Add(Key(rule)))
                {
                    throw Ec2Error.BadRequest("InvalidParameterValue", "The same permission must not appear multiple times");
                }

                if (group.Ingress.Any(existing => Key(existing) == Key(rule)))
                {
                    string peer = rule.ReferencedGroupId ?? rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? string.Empty;
                    string ports = rule.IpProtocol == "-1" ? "ALL" : $"{rule.IpProtocol.ToUpperInvariant()}, from port: {rule.FromPort}, to port: {rule.ToPort}";
                    throw Ec2Error.BadRequest("InvalidPermission.Duplicate", $"the specified rule \"peer: {peer}, {ports}, ALLOW\" already exists");
                }
            }

            int ipv6 = group.Ingress.Count(r => r.CidrIpv6 is not null) + rules.Count(r => r.CidrIpv6 is not null);
            int ipv4 = group.Ingress.Count(r => r.CidrIpv6 is null) + rules.Count(r => r.CidrIpv6 is null);
            if (ipv4 > RulesPerGroup || ipv6 > RulesPerGroup)
            {
                throw Ec2Error.BadRequest("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
            }

            foreach (RuleState rule in rules)
            {
                rule.RuleId = NewRuleId();
                group.Ingress.Add(rule);
            }

            yield return E("return", "true");
            yield return Items("securityGroupRuleSet", rules.Select(r => RuleXml(group, r, egress: false)));
        }

        private IEnumerable<object> Revoke(QueryRequest request)
        {
            SecurityGroupState group = Group(request.Get("GroupId") ?? throw Ec2Error.BadRequest(
                "MissingParameter", "The request must contain the parameter groupId"));
            List<string> ruleIds = request.List("SecurityGroupRuleId");
            var revoked = new List<RuleState>();
            foreach (string id in ruleIds)
            {
                revoked.Add(group.Ingress.FirstOrDefault(r => r.RuleId == id) ?? throw Ec2Error.BadRequest(
                    "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist"));
            }

            foreach (RuleState wanted in request.Permissions().Select(Canonical))
            {
                // A rule that does not match exactly revokes nothing: the whole call fails (non-default VPC).
                revoked.Add(group.Ingress.FirstOrDefault(r => Key(r) == Key(wanted)) ?? throw Ec2Error.BadRequest(
                    "InvalidPermission.NotFound", "The specified rule does not exist in this security group"));
            }

            if (revoked.Count == 0)
            {
                throw Ec2Error.BadRequest("MissingParameter", "The request must contain the parameter ipPermissions or securityGroupRuleIds");
            }

            foreach (RuleState rule in revoked)
            {
                group.Ingress.Remove(rule);
            }

            yield return E("return", "true");
            yield return E("unknownIpPermissionSet");
            yield return Items("revokedSecurityGroupRuleSet", revoked.Select(r => RuleXml(group, r, egress: false)));
        }

        private RuleState Canonical(RuleState rule)
        {
            string protocol = rule.IpProtocol.ToLowerInvariant() switch
            {
                "6" => "tcp",
                "17" => "udp",
                "1" => "icmp",
                "all" => "-1",
                string p => p,
            };
            if (protocol is not ("tcp" or "udp" or "icmp" or "icmpv6" or "-1") && !int.TryParse(protocol, out _))
            {
                throw Ec2Error.BadRequest("InvalidParameterValue", $"Invalid value '{rule.IpProtocol}' for IP protocol. Unknown protocol.");
            }

            if (protocol is "tcp" or "udp" && (rule.FromPort is not int from || rule.ToPort is not int to || from < 0 || to > 65535 || from > to))
            {
                throw Ec2Error.BadRequest("InvalidParameterValue", $"Invalid port range: from port {rule.FromPort}, to port {rule.ToPort}");
            }

            var result = new RuleState
            {
                IpProtocol = protocol,
                FromPort = protocol == "-1" ? null : rule.FromPort,
                ToPort = protocol == "-1" ? null : rule.ToPort,
                Description = rule.Description,
                PrefixListId = rule.PrefixListId,
                ReferencedGroupId = rule.ReferencedGroupId,
            };
            if (rule.CidrIpv4 is not null)
            {
                result.CidrIpv4 = Cidr.TryCanonical(rule.CidrIpv4, AddressFamily.InterNetwork, out string c)
                    ? c
                    : throw Ec2Error.BadRequest("InvalidParameterValue", $"Value ({rule.CidrIpv4}) for parameter cidrIp is invalid. This is not a valid CIDR block.");
            }

            if (rule.CidrIpv6 is not null)
            {
                result.CidrIpv6 = Cidr.TryCanonical(rule.CidrIpv6, AddressFamily.InterNetworkV6, out string c)
                    ? c
                    : throw Ec2Error.BadRequest("InvalidParameterValue", $"Value ({rule.CidrIpv6}) for parameter cidrIpv6 is invalid. This is not a valid CIDR block.");
            }

            if (rule.ReferencedGroupId is not null)
            {
                Group(rule.ReferencedGroupId);
            }

            return result;
        }

        /// <summary>What makes two rules the same rule: protocol, ports and source (the description does not count).</summary>
        private static string Key(RuleState r) =>
            $"{r.IpProtocol}|{r.FromPort}|{r.ToPort}|{r.CidrIpv4}|{r.CidrIpv6}|{r.ReferencedGroupId}|{r.PrefixListId}";

        private string NewRuleId() => "sgr-" + (_nextRuleId++).ToString("x17", CultureInfo.InvariantCulture);

        // ---- Network ACLs and VPCs ---------------------------------------------------------------------------------

        private IEnumerable<object> DescribeNetworkAcls(QueryRequest request)
        {
            int? maxResults = request.GetInt("MaxResults");
            CheckMaxResults(maxResults, 5, 1000);
            List<string> ids = request.List("NetworkAclId");
            Dictionary<string, List<string>> filters = request.Filters();
            List<NetworkAclState> matching = _state.NetworkAcls
                .Where(a => ids.Count == 0 || ids.Contains(a.NetworkAclId))
                .Where(a => filters.All(f => f.Key switch
                {
                    "network-acl-id" => f.Value.Contains(a.NetworkAclId),
                    "vpc-id" => a.VpcId is not null && f.Value.Contains(a.VpcId),
                    "association.subnet-id" => a.SubnetIds.Any(f.Value.Contains),
                    "default" => f.Value.Contains(Lower(a.IsDefault)),
                    _ => throw Ec2Error.BadRequest("InvalidParameterValue", $"The filter '{f.Key}' is invalid"),
                }))
                .ToList();
            (List<NetworkAclState> page, string? next) = Page(matching, request.Get("NextToken"), maxResults);
            yield return Items("networkAclSet", page.Select(a => E("item",
                E("networkAclId", a.NetworkAclId),
                a.VpcId is null ? null : E("vpcId", a.VpcId),
                E("default", Lower(a.IsDefault)),
                Items("entrySet", a.Entries.Select(e => E("item",
                    E("ruleNumber", e.RuleNumber),
                    E("protocol", e.Protocol),
                    E("ruleAction", e.RuleAction),
                    E("egress", Lower(e.Egress)),
                    e.CidrBlock is null ? null : E("cidrBlock", e.CidrBlock),
                    e.Ipv6CidrBlock is null ? null : E("ipv6CidrBlock", e.Ipv6CidrBlock),
                    e.FromPort is null ? null : E("portRange", E("from", e.FromPort), E("to", e.ToPort ?? e.FromPort))))),
                Items("associationSet", a.SubnetIds.Select(s => E("item",
                    E("networkAclAssociationId", "aclassoc-" + s.Replace("subnet-", string.Empty, StringComparison.Ordinal)),
                    E("networkAclId", a.NetworkAclId),
                    E("subnetId", s)))),
                E("tagSet"))));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        private IEnumerable<object> DescribeVpcs(QueryRequest request)
        {
            List<string> ids = request.List("VpcId");
            Dictionary<string, List<string>> filters = request.Filters();
            CheckMaxResults(request.GetInt("MaxResults"), 5, 1000);
            List<VpcState> matching = _state.Vpcs
                .Where(v => ids.Count == 0 || ids.Contains(v.VpcId))
                .Where(v => !filters.TryGetValue("vpc-id", out List<string>? f) || f.Contains(v.VpcId))
                .ToList();
            (List<VpcState> page, string? next) = Page(matching, request.Get("NextToken"), request.GetInt("MaxResults"));
            yield return Items("vpcSet", page.Select(v => E("item",
                E("vpcId", v.VpcId),
                E("state", "available"),
                E("cidrBlock", v.CidrBlock),
                Items("cidrBlockAssociationSet", new[] { E("item", E("cidrBlock", v.CidrBlock)) }),
                Items("ipv6CidrBlockAssociationSet", v.Ipv6CidrBlocks.Select(c => E("item", E("ipv6CidrBlock", c)))),
                E("isDefault", Lower(v.IsDefault)))));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        // ---- Network interfaces and subnets ------------------------------------------------------------------------

        /// <summary>Every interface: each instance's primary and attached ones, then those of no instance here.</summary>
        private IEnumerable<(NetworkInterfaceState Nic, InstanceState? Instance, int DeviceIndex)> AllInterfaces()
        {
            foreach (InstanceState i in _state.Instances)
            {
                var primary = new NetworkInterfaceState
                {
                    NetworkInterfaceId = i.NetworkInterfaceId ?? "eni-" + i.InstanceId.Substring(2),
                    SubnetId = i.SubnetId,
                    VpcId = i.VpcId,
                    PrivateIpAddresses = i.SecondaryPrivateIpAddresses.Prepend(i.PrivateIpAddress).OfType<string>().ToList(),
                    Ipv6Addresses = i.Ipv6Addresses,
                    GroupIds = i.GroupIds,
                };
                yield return (primary, i, 0);
                for (int n = 0; n < i.NetworkInterfaces.Count; n++)
                {
                    yield return (i.NetworkInterfaces[n], i, n + 1);
                }
            }

            foreach (NetworkInterfaceState nic in _state.NetworkInterfaces)
            {
                yield return (nic, null, 0);
            }
        }

        private IEnumerable<object> DescribeNetworkInterfaces(QueryRequest request)
        {
            int? maxResults = request.GetInt("MaxResults");
            CheckMaxResults(maxResults, 5, 1000);
            List<string> ids = request.List("NetworkInterfaceId");
            Dictionary<string, List<string>> filters = request.Filters();
            var matching = AllInterfaces()
                .Where(x => ids.Count == 0 || ids.Contains(x.Nic.NetworkInterfaceId))
                .Where(x => filters.All(f => (f.Key switch
                {
                    "group-id" => x.Nic.GroupIds.Cast<string?>(),
                    "network-interface-id" => new string?[] { x.Nic.NetworkInterfaceId },
                    "attachment.instance-id" => new[] { x.Instance?.InstanceId },
                    "subnet-id" => new[] { x.Nic.SubnetId ?? x.Instance?.SubnetId },
                    "vpc-id" => new[] { x.Nic.VpcId ?? x.Instance?.VpcId },
                    "addresses.private-ip-address" => x.Nic.PrivateIpAddresses.Cast<string?>(),
                    _ => throw Ec2Error.BadRequest("InvalidParameterValue", $"The filter '{f.Key}' is invalid"),
                }).Any(v => v is not null && f.Value.Contains(v))))
                .ToList();
            (var page, string? next) = Page(matching, request.Get("NextToken"), maxResults);
            yield return Items("networkInterfaceSet", page.Select(x => E("item",
                E("networkInterfaceId", x.Nic.NetworkInterfaceId),
                (x.Nic.SubnetId ?? x.Instance?.SubnetId) is string subnet ? E("subnetId", subnet) : null,
                (x.Nic.VpcId ?? x.Instance?.VpcId) is string vpc ? E("vpcId", vpc) : null,
                E("description", x.Nic.Description ?? string.Empty),
                E("ownerId", _state.OwnerId),
                E("requesterManaged", Lower(x.Instance is null && x.Nic.InterfaceType != "interface")),
                E("status", x.Instance is null && x.Nic.InterfaceType == "interface" ? "available" : "in-use"),
                E("interfaceType", x.Nic.InterfaceType),
                x.Nic.PrivateIpAddresses.Count == 0 ? null : E("privateIpAddress", x.Nic.PrivateIpAddresses[0]),
                E("sourceDestCheck", "true"),
                GroupSetXml(x.Nic.GroupIds),
                x.Instance is null ? null : E("attachment",
                    E("attachmentId", "eni-attach-" + x.Nic.NetworkInterfaceId.Replace("eni-", string.Empty, StringComparison.Ordinal)),
                    E("instanceId", x.Instance.InstanceId), E("instanceOwnerId", _state.OwnerId), E("deviceIndex", x.DeviceIndex), E("status", "attached")),
                Items("privateIpAddressesSet", x.Nic.PrivateIpAddresses.Select((ip, k) => E("item", E("privateIpAddress", ip), E("primary", Lower(k == 0))))),
                Items("ipv6AddressesSet", x.Nic.Ipv6Addresses.Select(ip => E("item", E("ipv6Address", ip)))),
                E("tagSet"))));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        private IEnumerable<object> DescribeSubnets(QueryRequest request)
        {
            int? maxResults = request.GetInt("MaxResults");
            CheckMaxResults(maxResults, 5, 1000);
            List<string> ids = request.List("SubnetId");
            foreach (string id in ids.Where(id => _state.Subnets.All(s => s.SubnetId != id)))
            {
                throw Ec2Error.BadRequest("InvalidSubnetID.NotFound", $"The subnet ID '{id}' does not exist");
            }

            Dictionary<string, List<string>> filters = request.Filters();
            List<SubnetState> matching = _state.Subnets
                .Where(s => ids.Count == 0 || ids.Contains(s.SubnetId))
                .Where(s => filters.All(f => f.Key switch
                {
                    "subnet-id" => f.Value.Contains(s.SubnetId),
                    "vpc-id" => s.VpcId is not null && f.Value.Contains(s.VpcId),
                    "cidr-block" => f.Value.Contains(s.CidrBlock),
                    _ => throw Ec2Error.BadRequest("InvalidParameterValue", $"The filter '{f.Key}' is invalid"),
                }))
                .ToList();
            (List<SubnetState> page, string? next) = Page(matching, request.Get("NextToken"), maxResults);
            yield return Items("subnetSet", page.Select(s => E("item",
                E("subnetId", s.SubnetId),
                E("state", "available"),
                s.VpcId is null ? null : E("vpcId", s.VpcId),
                E("cidrBlock", s.CidrBlock),
                E("availableIpAddressCount", 250),
                E("availabilityZone", s.AvailabilityZone ?? "us-east-1a"),
                E("defaultForAz", "false"),
                E("mapPublicIpOnLaunch", "false"),
                E("tagSet"))));
            if (next is not null)
            {
                yield return E("nextToken", next);
            }
        }

        // ---- Paging ------------------------------------------------------------------------------------------------

        private static void CheckMaxResults(int? maxResults, int min, int max)
        {
            if (maxResults is int value && (value < min || value > max))
            {
                throw Ec2Error.BadRequest("InvalidParameterValue",
                    $"Value ( {value} ) for parameter maxResults is invalid. Expecting a value between {min} and {max}.");
            }
        }

        /// <summary>
        /// Without MaxResults everything comes back; with it, a page and a token while more remain. <see cref="Paging"/>
        /// makes pages shorter than asked, or the first one empty, as EC2 is allowed to.
        /// </summary>
        private (List<T> Page, string? Next) Page<T>(List<T> items, string? token, int? maxResults)
        {
            int start = 0;
            if (token is not null && (!int.TryParse(token, out start) || start < 0 || start > items.Count))
            {
                throw Ec2Error.BadRequest("InvalidParameterValue", "The token is invalid or expired.");
            }

            if (token is null && Paging.EmptyFirstPage && items.Count > 0)
            {
                return (new List<T>(), "0");
            }

            int size = Math.Min(maxResults ?? int.MaxValue, Paging.PageLimit ?? int.MaxValue);
            List<T> page = items.Skip(start).Take(size).ToList();
            int end = start + page.Count;
            return (page, end < items.Count ? end.ToString(CultureInfo.InvariantCulture) : null);
        }
    }
}
