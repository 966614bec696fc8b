using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using K3sNet.Aws;
using K3sNet.Cloud;

namespace K3sNet.Commands
{
    /// <summary>
    /// Removes inbound rules: every rule K3sNet added to a group (found by its description), or the rules for the given
    /// protocol and ports. A rule that is not there is reported as NotPresent, never as an error.
    /// </summary>
    [Cmdlet(VerbsSecurity.Revoke, "K3sNodeTraffic", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SecurityGroupChange))]
    public sealed class RevokeK3sNodeTrafficCommand : AwsCmdlet
    {
        private readonly List<RevokeRequest> _requests = new();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string GroupId { get; set; } = string.Empty;

        /// <summary>Without it, every rule K3sNet added to the group.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public TrafficProtocol? Protocol { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 65535)]
        public int? FromPort { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 65535)]
        public int? ToPort { get; set; }

        /// <summary>Only rules from these CIDRs; with -Protocol, also rules K3sNet did not add.</summary>
        [Parameter]
        public string[]? SourceCidr { get; set; }

        [Parameter]
        public string[]? SourceGroupId { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter]
        public SwitchParameter DryRun { get; set; }

        protected override void BeginProcessing()
        {
            AssertSourceCidrs(SourceCidr);
        }

        protected override void ProcessRecord()
        {
            if (Protocol is null && FromPort is not null)
            {
                WriteError(K3sNetErrors.Create("ProtocolRequired", ErrorCategory.InvalidArgument, GroupId,
                    "-FromPort needs -Protocol.", "Pass -Protocol Tcp, Udp or All with the ports."));
                return;
            }

            int? from = Protocol == TrafficProtocol.All ? null : FromPort;
            _requests.Add(new RevokeRequest(GroupId, Protocol, from, Protocol == TrafficProtocol.All ? null : ToPort ?? from));
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
                Revoke(ec2);
            }
            catch (Ec2ApiException e)
            {
                ThrowTerminatingError(Ec2Error(e, e.Action));
            }
        }

        private void Revoke(ICloudNetwork ec2)
        {
            string[] groupIds = _requests.Select(r => r.GroupId).Distinct(StringComparer.Ordinal).ToArray();
            IReadOnlyList<(string GroupId, SecurityGroupRule Rule)> rules = Wait(ec2.DescribeIngressRulesAsync(groupIds, CancellationToken));
            HashSet<string> known = Wait(ec2.DescribeSecurityGroupsAsync(groupIds, CancellationToken)).Select(g => g.GroupId).ToHashSet(StringComparer.Ordinal);
            string[] sources = (SourceGroupId ?? Array.Empty<string>()).Concat((SourceCidr ?? Array.Empty<string>()).Select(c => IpCidr.Parse(c).ToString())).ToArray();

            foreach (IGrouping<string, RevokeRequest> group in _requests.GroupBy(r => r.GroupId, StringComparer.Ordinal))
            {
                if (!known.Contains(group.Key))
                {
                    WriteError(K3sNetErrors.Create("SecurityGroupNotFound", ErrorCategory.ObjectNotFound, group.Key,
                        $"The security group '{group.Key}' does not exist in this account and region.",
                        "Check the group id and -Region: security groups belong to one region and VPC."));
                    continue;
                }

                List<SecurityGroupRule> current = rules.Where(r => r.GroupId == group.Key).Select(r => r.Rule).ToList();
                var chosen = new List<SecurityGroupRule>();
                foreach (RevokeRequest request in group)
                {
                    List<SecurityGroupRule> matching = current.Where(r => Matches(r, request, sources)).ToList();
                    if (matching.Count == 0)
                    {
                        Emit(group.Key, Describe(request, sources), SecurityGroupChangeAction.NotPresent, null, string.Empty, request);
                    }

                    chosen.AddRange(matching.Where(m => !chosen.Contains(m)));
                }

                RevokeGroup(ec2, group.Key, chosen);
            }
        }

        /// <summary>
        /// Which rules a request means: with sources, exactly those sources; otherwise only rules K3sNet added (its
        /// description), so a rule someone else wrote is never removed by accident.
        /// </summary>
        private static bool Matches(SecurityGroupRule rule, RevokeRequest request, string[] sources)
        {
            bool source = sources.Length > 0 ? sources.Contains(rule.Source, StringComparer.OrdinalIgnoreCase) : IngressPlanner.IsK3sNetRule(rule);
            if (!source)
            {
                return false;
            }

            if (request.Protocol is not TrafficProtocol protocol)
            {
                return true;
            }

            return rule.IpProtocol == Ec2Protocol.Name(protocol)
                && (request.FromPort is null || (rule.FromPort == request.FromPort && rule.ToPort == request.ToPort));
        }

        private void RevokeGroup(ICloudNetwork ec2, string groupId, List<SecurityGroupRule> rules)
        {
            if (rules.Count == 0)
            {
                return;
            }

            string summary = string.Join(", ", rules.Select(r => $"{IngressPlanner.PortText(r)} from {r.Source}"));
            if (!ShouldProcess(groupId, $"Remove {rules.Count} inbound rule(s): {summary}"))
            {
                rules.ForEach(r => Emit(groupId, r, SecurityGroupChangeAction.WouldRevoke));
                return;
            }

            try
            {
                Wait(ec2.RevokeIngressAsync(groupId, rules.Select(r => r.RuleId!).ToList(), DryRun, CancellationToken));
                rules.ForEach(r => Emit(groupId, r, DryRun ? SecurityGroupChangeAction.WouldRevoke : SecurityGroupChangeAction.Revoked));
            }
            catch (Ec2ApiException e) when (e.IsNotFound && !DryRun)
            {
                // Someone removed a rule since K3sNet read the group, and the call removed nothing: revoke what is left.
                HashSet<string> left = Wait(ec2.DescribeIngressRulesAsync(new[] { groupId }, CancellationToken))
                    .Select(r => r.Rule.RuleId!).ToHashSet(StringComparer.Ordinal);
                List<SecurityGroupRule> remaining = rules.Where(r => left.Contains(r.RuleId!)).ToList();
                rules.Except(remaining).ToList().ForEach(r => Emit(groupId, r, SecurityGroupChangeAction.NotPresent));
                if (remaining.Count > 0)
                {
                    Wait(ec2.RevokeIngressAsync(groupId, remaining.Select(r => r.RuleId!).ToList(), false, CancellationToken));
                    remaining.ForEach(r => Emit(groupId, r, SecurityGroupChangeAction.Revoked));
                }
            }
            catch (Ec2ApiException e)
            {
                WriteError(Ec2Error(e, groupId));
            }
        }

        private void Emit(string groupId, SecurityGroupRule rule, SecurityGroupChangeAction action) =>
            Emit(groupId, rule.Source, action, rule.RuleId, rule.Description ?? string.Empty,
                new RevokeRequest(groupId, Ec2Protocol.Parse(rule.IpProtocol) ?? TrafficProtocol.All, rule.FromPort, rule.ToPort));

        private void Emit(string groupId, string source, SecurityGroupChangeAction action, string? ruleId, string description, RevokeRequest request)
        {
            if (!PassThru)
            {
                return;
            }

            WriteObject(new SecurityGroupChange
            {
                GroupId = groupId,
                Protocol = request.Protocol ?? TrafficProtocol.All,
                FromPort = request.FromPort ?? 0,
                ToPort = request.ToPort ?? 65535,
                Source = source,
                Description = description,
                Action = action,
                RuleId = ruleId,
            });
        }

        private static string Describe(RevokeRequest request, string[] sources) =>
            sources.Length > 0 ? string.Join(", ", sources) : "(rules K3sNet added)";

        private sealed record RevokeRequest(string GroupId, TrafficProtocol? Protocol, int? FromPort, int? ToPort);
    }
}
