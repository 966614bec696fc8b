using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using K3sNet.Aws;
using K3sNet.Cloud;

namespace K3sNet.Commands
{
    /// <summary>
    /// Adds the inbound security-group rules that are missing for the given flows: one AuthorizeSecurityGroupIngress per
    /// group, only what the group does not already admit, from the narrowest source that works.
    /// </summary>
    [Cmdlet(VerbsSecurity.Grant, "K3sNodeTraffic", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SecurityGroupChange))]
    public sealed class GrantK3sNodeTrafficCommand : AwsCmdlet
    {
        private readonly List<TrafficRequest> _requests = new();

        /// <summary>The security group to change; without it, the group on the instance that owns -DestinationAddress.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public string? GroupId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public TrafficProtocol Protocol { get; set; } = TrafficProtocol.Udp;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 65535)]
        public int FromPort { get; set; } = 8472;

        /// <summary>Defaults to -FromPort.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 65535)]
        public int? ToPort { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public IPAddress? SourceAddress { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public IPAddress? DestinationAddress { get; set; }

        /// <summary>What the traffic carries; it becomes the rule's description, "k3s &lt;purpose&gt; (K3sNet)".</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Purpose { get; set; }

        /// <summary>The source Test-K3sSecurityGroup worked out (a group id or a CIDR); -SourceCidr/-SourceGroupId override it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? SuggestedSource { get; set; }

        /// <summary>The port must never face the internet (PortRequirement and SecurityGroupVerdict carry it).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SwitchParameter ClusterOnly { get; set; }

        [Parameter]
        public string[]? SourceCidr { get; set; }

        [Parameter]
        public string[]? SourceGroupId { get; set; }

        /// <summary>Allows a cluster-only port to 0.0.0.0/0 or ::/0 when -SourceCidr names that CIDR.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Asks EC2 whether the caller may add the rules, without adding them.</summary>
        [Parameter]
        public SwitchParameter DryRun { get; set; }

        protected override void BeginProcessing()
        {
            AssertSourceCidrs(SourceCidr);

            foreach (string group in SourceGroupId ?? Array.Empty<string>())
            {
                if (!group.StartsWith("sg-", StringComparison.Ordinal))
                {
                    ThrowTerminatingError(K3sNetErrors.Create("InvalidSourceGroupId", ErrorCategory.InvalidArgument, group,
                        $"-SourceGroupId '{group}' is not a security group id.", "Security group ids look like sg-0123456789abcdef0."));
                }
            }
        }

        protected override void ProcessRecord()
        {
            int to = ToPort ?? FromPort;
            if (to < FromPort)
            {
                WriteError(K3sNetErrors.Create("InvalidPortRange", ErrorCategory.InvalidArgument, CurrentTarget(),
                    $"The port range {FromPort}-{to} ends before it starts.", "Give -ToPort at least -FromPort."));
                return;
            }

            if (GroupId is null && DestinationAddress is null)
            {
                WriteError(K3sNetErrors.Create("NoDestination", ErrorCategory.InvalidArgument, CurrentTarget(),
                    $"{SecurityGroupAnalysis.PortText(Protocol, FromPort, to)} names no security group and no destination address.",
                    "Pass -GroupId, or pipe objects that carry GroupId or DestinationAddress (Test-K3sSecurityGroup, Test-K3sVxlan)."));
                return;
            }

            _requests.Add(new TrafficRequest(GroupId, DestinationAddress?.ToString(), SourceAddress?.ToString(), Protocol, FromPort, to,
                Purpose, SuggestedSource, ClusterOnly || IngressPlanner.IsClusterOnly(Protocol, FromPort, to), CurrentTarget()));
        }

        protected override void EndProcessing()
        {
            if (_requests.Count == 0)
            {
                return;
            }

            using ICloudNetwork ec2 = ConnectEc2();
            try
            {
                Grant(ec2);
            }
            catch (Ec2ApiException e)
            {
                ThrowTerminatingError(Ec2Error(e, e.Action));
            }
        }

        private void Grant(ICloudNetwork ec2)
        {
            bool explicitSource = SourceCidr is { Length: > 0 } || SourceGroupId is { Length: > 0 };

            // One DescribeInstances for every address the requests leave K3sNet to place.
            string[] addresses = _requests
                .SelectMany(r => new[] { r.GroupId is null ? r.DestinationAddress : null, !explicitSource && r.SuggestedSource is null ? r.SourceAddress : null })
                .OfType<string>()
                .Where(a => !a.Contains(':', StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            var byAddress = new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
            if (addresses.Length > 0)
            {
                foreach (Ec2Instance instance in Wait(ec2.DescribeInstancesAsync(Array.Empty<string>(), addresses, CancellationToken)))
                {
                    foreach (string ip in instance.PrivateIpAddresses)
                    {
                        byAddress.TryAdd(ip, instance);
                    }
                }
            }

            // Where each request goes and where it comes from.
            var placed = new List<(TrafficRequest Request, string GroupId, string? VpcId, IReadOnlyList<string> Sources)>();
            foreach (TrafficRequest request in _requests)
            {
                Ec2Instance? destination = request.DestinationAddress is string d ? byAddress.GetValueOrDefault(d) : null;
                string? groupId = request.GroupId ?? destination?.GroupIds.FirstOrDefault();
                if (groupId is null)
                {
                    WriteError(K3sNetErrors.Create("DestinationNotFound", ErrorCategory.ObjectNotFound, request.Target,
                        $"No EC2 instance in this account and region has the private address {request.DestinationAddress}, so K3sNet cannot tell which security group admits it.",
                        "Pass -GroupId with the destination's security group, or check -Region."));
                    continue;
                }

                placed.Add((request, groupId, destination?.VpcId, Sources(request, groupId, destination, byAddress)));
            }

            IReadOnlyList<Ec2SecurityGroup> groups = Wait(ec2.DescribeSecurityGroupsAsync(placed.Select(p => p.GroupId).ToArray(), CancellationToken));
            var groupById = groups.ToDictionary(g => g.GroupId, StringComparer.Ordinal);

            // The rules each group needs, in request order, without repeats.
            var wanted = new Dictionary<string, List<SecurityGroupRule>>(StringComparer.Ordinal);
            foreach ((TrafficRequest request, string groupId, _, IReadOnlyList<string> sources) in placed)
            {
                if (!groupById.ContainsKey(groupId))
                {
                    WriteError(K3sNetErrors.Create("SecurityGroupNotFound", ErrorCategory.ObjectNotFound, groupId,
                        $"The security group '{groupId}' does not exist in this account and region.",
                        "Check the group id and -Region: security groups belong to one region and VPC."));
                    continue;
                }

                foreach (string source in sources)
                {
                    if (IpCidr.TryParse(source, out IpCidr cidr) && cidr.IsWorld && !AllowWorld(request, source))
                    {
                        continue;
                    }

                    SecurityGroupRule rule = SecurityGroupRule.From(request.Protocol, request.FromPort, request.ToPort, source,
                        IngressPlanner.Description(request.Protocol, request.FromPort, request.ToPort, request.Purpose));
                    List<SecurityGroupRule> list = wanted.TryGetValue(groupId, out List<SecurityGroupRule>? l) ? l : wanted[groupId] = new();
                    if (list.All(r => IngressPlanner.Key(r) != IngressPlanner.Key(rule)))
                    {
                        list.Add(rule);
                    }
                }
            }

            foreach ((string groupId, List<SecurityGroupRule> rules) in wanted)
            {
                GrantGroup(ec2, groupById[groupId], rules);
            }
        }

        /// <summary>
        /// The sources a request's rule admits: -SourceCidr/-SourceGroupId; else what Test-K3sSecurityGroup suggested;
        /// else the source node's group when its address is a private one in the destination's VPC (a group reference
        /// matches only those); else the source address alone (/32 or /128); else, with no source at all, the group itself.
        /// </summary>
        private IReadOnlyList<string> Sources(TrafficRequest request, string groupId, Ec2Instance? destination, Dictionary<string, Ec2Instance> byAddress)
        {
            if (SourceCidr is { Length: > 0 } || SourceGroupId is { Length: > 0 })
            {
                return (SourceGroupId ?? Array.Empty<string>()).Concat((SourceCidr ?? Array.Empty<string>()).Select(c => IpCidr.Parse(c).ToString())).ToList();
            }

            if (request.SuggestedSource is string suggested && (suggested.StartsWith("sg-", StringComparison.Ordinal) || IpCidr.TryParse(suggested, out _)))
            {
                return new[] { suggested.StartsWith("sg-", StringComparison.Ordinal) ? suggested : IpCidr.Parse(suggested).ToString() };
            }

            if (request.SourceAddress is string address)
            {
                Ec2Instance? source = byAddress.GetValueOrDefault(address);
                bool sameVpc = source is not null && (destination is null || destination.VpcId == source.VpcId);
                if (source is not null && sameVpc && IpCidr.IsPrivate(address) && source.GroupIds.Count > 0)
                {
                    WriteVerbose($"{address} is {source.InstanceId}'s private address: admitting its security group {source.GroupIds[0]}.");
                    return new[] { source.GroupIds[0] };
                }

                return new[] { IpCidr.Parse(address).ToString() };
            }

            WriteVerbose($"No source given for {SecurityGroupAnalysis.PortText(request.Protocol, request.FromPort, request.ToPort)}: admitting the group's own members ({groupId}).");
            return new[] { groupId };
        }

        private bool AllowWorld(TrafficRequest request, string source)
        {
            bool explicitCidr = (SourceCidr ?? Array.Empty<string>()).Any(c => IpCidr.Parse(c).ToString() == source);
            if (!request.ClusterOnly)
            {
                WriteWarning($"{SecurityGroupAnalysis.PortText(request.Protocol, request.FromPort, request.ToPort)} will be open to {source}, the whole internet.");
                return true;
            }

            if (Force && explicitCidr)
            {
                WriteWarning($"-Force: opening cluster-only {SecurityGroupAnalysis.PortText(request.Protocol, request.FromPort, request.ToPort)} to {source}, the whole internet.");
                return true;
            }

            WriteError(K3sNetErrors.Create("WorldOpenRefused", ErrorCategory.SecurityError, request.Target,
                $"Refusing to open {SecurityGroupAnalysis.PortText(request.Protocol, request.FromPort, request.ToPort)} to {source}: it must stay inside the cluster (anyone on the internet could reach {request.Purpose ?? IngressPlanner.KnownPurpose(request.Protocol, request.FromPort, request.ToPort) ?? "it"}).",
                "Admit the nodes' own security group (-SourceGroupId) or the VPC's CIDR instead. If you really mean the whole internet, pass -SourceCidr " + source + " -Force."));
            return false;
        }

        private void GrantGroup(ICloudNetwork ec2, Ec2SecurityGroup group, List<SecurityGroupRule> rules)
        {
            for (int attempt = 0; ; attempt++)
            {
                var missing = new List<SecurityGroupRule>();
                foreach (SecurityGroupRule rule in rules)
                {
                    if (IngressPlanner.Covering(group.Ingress, rule) is SecurityGroupRule present)
                    {
                        Emit(group.GroupId, rule, SecurityGroupChangeAction.AlreadyPresent, present.RuleId, present.Description);
                    }
                    else
                    {
                        missing.Add(rule);
                    }
                }

                if (missing.Count == 0)
                {
                    return;
                }

                string summary = string.Join(", ", missing.Select(r => $"{IngressPlanner.PortText(r)} from {r.Source}"));
                if (!ShouldProcess(group.GroupId, $"Add {missing.Count} inbound rule(s): {summary}"))
                {
                    missing.ForEach(r => Emit(group.GroupId, r, SecurityGroupChangeAction.WouldAdd, null, r.Description));
                    return;
                }

                try
                {
                    IReadOnlyList<SecurityGroupRule> added = Wait(ec2.AuthorizeIngressAsync(group.GroupId, missing, DryRun, CancellationToken));
                    if (DryRun)
                    {
                        WriteVerbose($"EC2 confirms the caller may add {missing.Count} rule(s) to {group.GroupId} (DryRun).");
                        missing.ForEach(r => Emit(group.GroupId, r, SecurityGroupChangeAction.WouldAdd, null, r.Description));
                        return;
                    }

                    foreach (SecurityGroupRule rule in missing)
                    {
                        SecurityGroupRule? created = added.FirstOrDefault(a => IngressPlanner.Key(a) == IngressPlanner.Key(rule));
                        Emit(group.GroupId, rule, SecurityGroupChangeAction.Added, created?.RuleId, rule.Description);
                    }

                    WriteVerbose($"Added to {group.GroupId}: {summary}.");
                    return;
                }
                catch (Ec2ApiException e) when (e.ErrorCode == "InvalidPermission.Duplicate" && attempt == 0)
                {
                    // Someone added one of these rules since K3sNet read the group: read it again and add what is still missing.
                    WriteVerbose($"{group.GroupId} changed while K3sNet worked ({e.Message}); reading it again.");
                    group = Wait(ec2.DescribeSecurityGroupsAsync(new[] { group.GroupId }, CancellationToken)).FirstOrDefault() ?? group;
                }
                catch (Ec2ApiException e)
                {
                    // This group failed as a whole (Authorize is atomic); the other groups still get their rules.
                    WriteError(Ec2Error(e, group.GroupId));
                    return;
                }
            }
        }

        private void Emit(string groupId, SecurityGroupRule rule, SecurityGroupChangeAction action, string? ruleId, string? description)
        {
            if (!PassThru)
            {
                return;
            }

            WriteObject(new SecurityGroupChange
            {
                GroupId = groupId,
                Protocol = Ec2Protocol.Parse(rule.IpProtocol) ?? TrafficProtocol.All,
                FromPort = rule.FromPort ?? 0,
                ToPort = rule.ToPort ?? 65535,
                Source = rule.Source,
                Description = description ?? string.Empty,
                Action = action,
                RuleId = ruleId,
            });
        }

        private object CurrentTarget() =>
            string.Create(CultureInfo.InvariantCulture, $"{GroupId ?? DestinationAddress?.ToString()} {SecurityGroupAnalysis.PortText(Protocol, FromPort, ToPort ?? FromPort)}");

        private sealed record TrafficRequest(
            string? GroupId, string? DestinationAddress, string? SourceAddress, TrafficProtocol Protocol, int FromPort, int ToPort,
            string? Purpose, string? SuggestedSource, bool ClusterOnly, object Target);
    }
}
