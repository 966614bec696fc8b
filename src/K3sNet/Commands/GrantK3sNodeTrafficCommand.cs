using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Vxlan;

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
        private PipedTrafficProperties? _piped;
        private ChangeApproval? _approval;

        /// <summary>
        /// The piped object as a whole, bound only so the cmdlet can tell a property PowerShell could not convert (and so
        /// left at its default) from one the object lacks. Hidden: it is no setting a user gives.
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

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

        /// <summary>
        /// Bound only from a piped VxlanPathResult (as its enum, or as a string or number from JSON): it marks the input as
        /// a VXLAN path, which needs its port open inbound at both ends. Hidden: it is no setting a user gives.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string? Verdict { get; set; }

        [Parameter]
        public string[]? SourceCidr { get; set; }

        [Parameter]
        public string[]? SourceGroupId { get; set; }

        /// <summary>
        /// The managed prefix list to admit instead of a CIDR when more than five sources of one port would each need a
        /// rule in one group (pl-…).
        /// </summary>
        [Parameter]
        public string? PrefixListId { get; set; }

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
            _piped = new PipedTrafficProperties(MyInvocation.BoundParameters.Keys,
                (nameof(Protocol), typeof(TrafficProtocol)), (nameof(FromPort), typeof(int)), (nameof(ToPort), typeof(int)),
                (nameof(SourceAddress), typeof(IPAddress)), (nameof(DestinationAddress), typeof(IPAddress)), (nameof(ClusterOnly), typeof(bool)));
            _approval = new ChangeApproval(this, force: false);
            AssertPrefixListId();

            foreach (string group in SourceGroupId ?? Array.Empty<string>())
            {
                if (!group.StartsWith("sg-", StringComparison.Ordinal))
                {
                    ThrowTerminatingError(K3sNetErrors.Create("InvalidSourceGroupId", ErrorCategory.InvalidArgument, group,
                        $"-SourceGroupId '{group}' is not a security group id.", "Security group ids look like sg-0123456789abcdef0."));
                }
            }
        }

        private void AssertPrefixListId()
        {
            if (PrefixListId is string list && !System.Text.RegularExpressions.Regex.IsMatch(list, "^pl-[0-9a-f]{8,17}$"))
            {
                ThrowTerminatingError(K3sNetErrors.Create("InvalidPrefixListId", ErrorCategory.InvalidArgument, list,
                    $"-PrefixListId '{list}' is not a managed prefix list id.", "Prefix list ids look like pl-0123456789abcdef0 (Get-EC2ManagedPrefixList lists them)."));
            }
        }

        protected override void ProcessRecord()
        {
            if (_piped!.Check(InputObject) is ErrorRecord unconverted)
            {
                WriteError(unconverted);
                return;
            }

            if (Verdict is not null && Enum.TryParse(Verdict, ignoreCase: true, out VxlanVerdict hostFirewall) && hostFirewall == VxlanVerdict.HostFirewall)
            {
                // Never "open the security group" when the node itself drops it: no group change would help.
                WriteWarning($"{SourceAddress?.ToString() ?? "?"} -> {DestinationAddress?.ToString() ?? "?"} is HostFirewall: the node's own firewall drops it, not a security group, so no rule is added. Run the result's Remedy on that node.");
                return;
            }

            if (Verdict is not null && VxlanPathNeedsNothing(Verdict) is string why)
            {
                WriteVerbose($"{SourceAddress?.ToString() ?? "?"} -> {DestinationAddress?.ToString() ?? "?"} is {Verdict}: {why}");
                return;
            }

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

            bool clusterOnly = ClusterOnly || PipedTrafficProperties.Flag(InputObject, nameof(ClusterOnly)) == true || IngressPlanner.IsClusterOnly(Protocol, FromPort, to);
            _requests.Add(new TrafficRequest(GroupId, DestinationAddress?.ToString(), SourceAddress?.ToString(), Protocol, FromPort, to,
                Purpose, SuggestedSource, clusterOnly, CurrentTarget()));
            if (Verdict is null)
            {
                return;
            }

            if (GroupId is not null)
            {
                WriteVerbose($"{CurrentTarget()}: -GroupId names the one group to change, so the reply side (UDP {FromPort} into the source's group) is left as it is.");
                return;
            }

            // The destination's kernel answers VXLAN with a new datagram to the source's port, which no stateful group
            // takes for a reply: the path needs the port inbound in the source's group too, from the destination.
            if (SourceAddress is null || DestinationAddress is null)
            {
                WriteWarning($"{CurrentTarget()}: the source's address is unknown, so only the destination's group is changed; the replies need UDP {FromPort} into the source's group too.");
                return;
            }

            _requests.Add(new TrafficRequest(null, SourceAddress.ToString(), DestinationAddress.ToString(), Protocol, FromPort, to,
                Purpose, null, clusterOnly, CurrentTarget()));
        }

        /// <summary>Why a piped VXLAN path needs no rule, or null when it does: an echo that crossed proves the port open both ways.</summary>
        private static string? VxlanPathNeedsNothing(string verdict) =>
            Enum.TryParse(verdict, ignoreCase: true, out VxlanVerdict parsed) && Enum.IsDefined(parsed)
                ? parsed switch
                {
                    _ when parsed.CrossedBothWays() => "VXLAN already passes both ways, so no rule is needed.",
                    VxlanVerdict.NotTested => "the path was not tested, so there is nothing to add.",
                    _ => null,
                }
                : null;

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
            var planner = new GrantPlanner(SourceCidr, SourceGroupId, Force);
            IReadOnlyList<string> addresses = planner.AddressesToPlace(_requests);
            IReadOnlyList<Ec2Instance> instances = addresses.Count > 0
                ? Wait(ec2.DescribeInstancesAsync(Array.Empty<string>(), addresses, CancellationToken))
                : Array.Empty<Ec2Instance>();
            // The groups are read before choosing: their names tell the VPC's default group apart.
            IReadOnlyList<Ec2SecurityGroup> groups = Wait(ec2.DescribeSecurityGroupsAsync(planner.GroupsToRead(_requests, instances), CancellationToken));
            (SecurityGroupChooser chooser, IReadOnlyList<string> toCount, IReadOnlyList<Ec2Instance> nodes) = planner.Chooser(_requests, instances, groups);
            if (toCount.Count > 0)
            {
                // Who else carries the groups a choice depends on: only a group no one outside the cluster carries is narrow.
                chooser = chooser.WithInterfaces(nodes, Wait(ec2.DescribeNetworkInterfacesAsync(toCount, CancellationToken)));
            }

            GrantPlacement placement = planner.Place(_requests, instances, chooser);
            Report(placement.Notes);

            GrantPlan plan = planner.Plan(placement, groups);
            if (plan.Consolidations.Count > 0)
            {
                plan = Consolidate(ec2, plan, instances);
            }

            Report(plan.Notes);
            foreach (GroupGrant grant in plan.Groups.Where(g => g.Rules.Count > 0))
            {
                GrantGroup(ec2, grant);
            }
        }

        /// <summary>
        /// Replaces too many sources of one port by the prefix list given, or by the narrowest CIDR over their subnets:
        /// the instances K3sNet has not read yet (sources Test-K3sSecurityGroup suggested), then their subnets and the VPCs'
        /// blocks, one call each.
        /// </summary>
        private GrantPlan Consolidate(ICloudNetwork ec2, GrantPlan plan, IReadOnlyList<Ec2Instance> known)
        {
            if (PrefixListId is not null)
            {
                return GrantPlanner.Consolidate(plan, PrefixListId, new Dictionary<string, string>(), Array.Empty<string>());
            }

            IReadOnlyList<string> addresses = GrantPlanner.AddressesToCover(plan);
            var byAddress = new InstanceAddresses(known);
            string[] unknown = addresses.Where(a => byAddress.All(a).Count == 0).ToArray();
            List<Ec2Instance> instances = known.ToList();
            if (unknown.Length > 0)
            {
                instances.AddRange(Wait(ec2.DescribeInstancesAsync(Array.Empty<string>(), unknown, CancellationToken)));
                byAddress = new InstanceAddresses(instances);
            }

            var subnetIdOf = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string address in addresses)
            {
                // An address two VPCs share names no instance here: it counts as itself.
                if (byAddress.All(address) is { Count: 1 } only && only[0].SubnetFor(address) is string subnet)
                {
                    subnetIdOf[address] = subnet;
                }
            }

            IReadOnlyList<Ec2Subnet> subnets = subnetIdOf.Count > 0
                ? Wait(ec2.DescribeSubnetsAsync(subnetIdOf.Values.Distinct(StringComparer.Ordinal).ToArray(), CancellationToken))
                : Array.Empty<Ec2Subnet>();
            var cidrOfSubnet = subnets.Where(s => s.CidrBlock is not null).ToDictionary(s => s.SubnetId, s => s.CidrBlock!, StringComparer.Ordinal);
            var vpcIds = subnets.Select(s => s.VpcId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            string[] vpcCidrs = vpcIds.Count > 0
                ? Wait(ec2.DescribeVpcsAsync(CancellationToken)).Where(v => vpcIds.Contains(v.VpcId)).SelectMany(v => v.Ipv4Cidrs).ToArray()
                : Array.Empty<string>();
            var subnetOf = subnetIdOf
                .Where(p => cidrOfSubnet.ContainsKey(p.Value))
                .ToDictionary(p => p.Key, p => cidrOfSubnet[p.Value], StringComparer.Ordinal);
            return GrantPlanner.Consolidate(plan, null, subnetOf, vpcCidrs);
        }

        /// <summary>What planning found, in the order it found it: one bad request is an error, and the others go on.</summary>
        private void Report(IEnumerable<GrantNote> notes)
        {
            foreach (GrantNote note in notes)
            {
                switch (note)
                {
                    case GrantNote.DestinationNotFound(TrafficRequest request):
                        WriteError(K3sNetErrors.Create("DestinationNotFound", ErrorCategory.ObjectNotFound, request.Target,
                            $"No EC2 instance in this account and region has the private address {request.DestinationAddress}, so K3sNet cannot tell which security group admits it.",
                            "Pass -GroupId with the destination's security group, or check -Region."));
                        break;
                    case GrantNote.DestinationAmbiguous(TrafficRequest request, IReadOnlyList<string> instanceIds):
                        WriteError(K3sNetErrors.Create("DestinationAmbiguous", ErrorCategory.InvalidData, request.Target,
                            $"{instanceIds.Count} EC2 instances have the private address {request.DestinationAddress} ({string.Join(", ", instanceIds)}, in VPCs that overlap), so K3sNet cannot tell which security group admits it.",
                            "Pass -GroupId with the destination's security group."));
                        break;
                    case GrantNote.SecurityGroupNotFound(string groupId):
                        WriteError(SecurityGroupNotFound(groupId));
                        break;
                    case GrantNote.SourceGroupChosen(string address, string instanceId, string groupId, string why):
                        WriteVerbose($"{address} is {instanceId}'s private address: admitting its security group {groupId}. {why}".TrimEnd());
                        break;
                    case GrantNote.SourceAddressChosen(string address, _, string why):
                        WriteVerbose($"Admitting {address} alone: {why}");
                        break;
                    case GrantNote.GroupChosen(string instanceId, GroupChoice choice):
                        WriteVerbose($"Changing {choice.GroupId} for {instanceId}: {choice.Why}");
                        break;
                    case GrantNote.GroupNotChosen(TrafficRequest request, string instanceId, GroupChoice choice, bool source):
                        WriteError(GroupNotChosen(request, instanceId, choice, source));
                        break;
                    case GrantNote.SourcesConsolidated(_, _, _, _, string why):
                        WriteVerbose(why);
                        break;
                    case GrantNote.OwnGroupChosen(TrafficRequest request, string groupId):
                        WriteVerbose($"No source given for {PortText(request)}: admitting the group's own members ({groupId}).");
                        break;
                    case GrantNote.WorldOpened(TrafficRequest request, string source):
                        WriteWarning($"{PortText(request)} will be open to {source}, the whole internet.");
                        break;
                    case GrantNote.WorldForced(TrafficRequest request, string source):
                        WriteWarning($"-Force: opening cluster-only {PortText(request)} to {source}, the whole internet.");
                        break;
                    case GrantNote.WorldRefused(TrafficRequest request, string source):
                        WriteError(K3sNetErrors.Create("WorldOpenRefused", ErrorCategory.SecurityError, request.Target,
                            $"Refusing to open {PortText(request)} to {source}: it must stay inside the cluster (anyone on the internet could reach {request.Purpose ?? IngressPlanner.KnownPurpose(request.Protocol, request.FromPort, request.ToPort) ?? "it"}).",
                            "Admit the nodes' own security group (-SourceGroupId) or the VPC's CIDR instead. If you really mean the whole internet, pass -SourceCidr " + source + " -Force."));
                        break;
                }
            }
        }

        /// <summary>
        /// The error for a group K3sNet will not choose: several as narrow as each other (AmbiguousSecurityGroup), only the
        /// VPC's default group (DefaultSecurityGroupOnly), or none (NoSecurityGroup). It lists the candidates and the
        /// parameter that settles it; the requests it concerns are dropped and the others go on.
        /// </summary>
        private static ErrorRecord GroupNotChosen(TrafficRequest request, string instanceId, GroupChoice choice, bool source)
        {
            string parameter = source ? "-SourceGroupId" : "-GroupId";
            string candidates = string.Join(", ", choice.Candidates);
            return choice.Kind switch
            {
                GroupChoiceKind.Ambiguous => K3sNetErrors.Create("AmbiguousSecurityGroup", ErrorCategory.InvalidData, request.Target,
                    $"K3sNet will not choose {(source ? "the security group to admit as the source" : "the security group to change")} for {instanceId}: {choice.Why} Candidates: {candidates}.",
                    source
                        ? $"Name the source with -SourceGroupId (one of {candidates}), or pass -SourceCidr."
                        : $"Name the group to change with -GroupId (one of {candidates})."),
                GroupChoiceKind.DefaultOnly => K3sNetErrors.Create("DefaultSecurityGroupOnly", ErrorCategory.PermissionDenied, request.Target,
                    $"K3sNet will not change the security group for {instanceId}: {choice.Why}",
                    $"Attach a security group for the cluster's nodes to {instanceId}, or pass -GroupId {candidates} to widen the default group anyway."),
                _ => K3sNetErrors.Create("NoSecurityGroup", ErrorCategory.ObjectNotFound, request.Target,
                    $"{choice.Why} K3sNet has no group to change.",
                    "Pass -GroupId with the security group to change."),
            };
        }

        /// <summary>
        /// Adds what the group still lacks in one call, after ShouldProcess. A Duplicate means someone added one of the
        /// rules since K3sNet read the group (Authorize is atomic, so nothing was added): read it once more and retry.
        /// Every wanted rule appears in the record once: a rule reported present before the race is not reported again,
        /// and rules the user already approved are not asked about a second time.
        /// </summary>
        private void GrantGroup(ICloudNetwork ec2, GroupGrant grant)
        {
            string groupId = grant.Group.GroupId;
            var reported = new HashSet<string>(StringComparer.Ordinal);
            HashSet<string>? approved = null;
            for (int attempt = 0; ; attempt++)
            {
                var missing = new List<SecurityGroupRule>();
                foreach (RuleOutcome outcome in grant.Compare())
                {
                    if (outcome.Present is not SecurityGroupRule present)
                    {
                        missing.Add(outcome.Rule);
                    }
                    else if (reported.Add(IngressPlanner.Key(outcome.Rule)))
                    {
                        Emit(groupId, outcome.Rule, SecurityGroupChangeAction.AlreadyPresent, present.RuleId, present.Description);
                    }
                }

                if (missing.Count == 0)
                {
                    return;
                }

                string summary = string.Join(", ", missing.Select(r => $"{IngressPlanner.PortText(r)} from {r.Source}"));
                // -WhatIf and -Confirm show why K3sNet chose this group and these sources, one reason a line.
                string named = grant.Group.GroupName.Length > 0 && grant.Group.GroupName != groupId ? $"{groupId} ({grant.Group.GroupName})" : groupId;
                string why = grant.Why is { Count: > 0 } reasons ? string.Concat(reasons.Select(r => Environment.NewLine + "    " + r)) : string.Empty;
                if (approved is null || !missing.All(r => approved.Contains(IngressPlanner.Key(r))))
                {
                    ChangeConsent consent = _approval!.Ask(groupId, $"Add {missing.Count} inbound rule(s): {summary}",
                        description: $"Add {missing.Count} inbound rule(s) to {named}: {summary}.{why}");
                    if (consent != ChangeConsent.Approved)
                    {
                        // -WhatIf shows what would be added; a declined prompt is a change the user refused, not one to come.
                        SecurityGroupChangeAction action = consent == ChangeConsent.WhatIf ? SecurityGroupChangeAction.WouldAdd : SecurityGroupChangeAction.Declined;
                        missing.ForEach(r => Emit(groupId, r, action, null, r.Description));
                        return;
                    }

                    approved = missing.Select(IngressPlanner.Key).ToHashSet(StringComparer.Ordinal);
                }

                try
                {
                    IReadOnlyList<SecurityGroupRule> added = Wait(ec2.AuthorizeIngressAsync(groupId, missing, DryRun, CancellationToken));
                    if (DryRun)
                    {
                        WriteVerbose($"EC2 confirms the caller may add {missing.Count} rule(s) to {groupId} (DryRun).");
                        missing.ForEach(r => Emit(groupId, r, SecurityGroupChangeAction.WouldAdd, null, r.Description));
                        return;
                    }

                    missing.ForEach(r => Emit(groupId, r, SecurityGroupChangeAction.Added, GroupGrant.Created(added, r)?.RuleId, r.Description));
                    WriteVerbose($"Added to {groupId}: {summary}.");
                    return;
                }
                catch (Ec2ApiException e) when (e.ErrorCode == "InvalidPermission.Duplicate" && attempt == 0)
                {
                    WriteVerbose($"{groupId} changed while K3sNet worked ({e.Message}); reading it again.");
                    grant = grant with { Group = Wait(ec2.DescribeSecurityGroupsAsync(new[] { groupId }, CancellationToken)).FirstOrDefault() ?? grant.Group };
                }
                catch (Ec2ApiException e)
                {
                    // This group failed as a whole (Authorize is atomic); the other groups still get their rules.
                    WriteError(Ec2Error(e, groupId));
                    return;
                }
            }
        }

        private void Emit(string groupId, SecurityGroupRule rule, SecurityGroupChangeAction action, string? ruleId, string? description)
        {
            if (PassThru)
            {
                WriteObject(IngressPlanner.Change(groupId, rule, action, ruleId, description));
            }
        }

        private object CurrentTarget()
        {
            string traffic = SecurityGroupAnalysis.PortText(Protocol, FromPort, ToPort ?? FromPort);
            string? where = GroupId ?? DestinationAddress?.ToString();
            return where is null ? traffic : string.Create(CultureInfo.InvariantCulture, $"{where} {traffic}");
        }

        private static string PortText(TrafficRequest request) => SecurityGroupAnalysis.PortText(request.Protocol, request.FromPort, request.ToPort);
    }
}
