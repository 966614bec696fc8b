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
    /// protocol and ports. A rule that is not there is reported as NotPresent, never as an error. Removing without a port
    /// (every K3sNet rule of the group, or of a protocol) asks first as a ConfirmImpact High cmdlet would.
    /// </summary>
    [Cmdlet(VerbsSecurity.Revoke, "K3sNodeTraffic", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SecurityGroupChange))]
    public sealed class RevokeK3sNodeTrafficCommand : AwsCmdlet
    {
        private readonly List<RevokeRequest> _requests = new();
        private PipedTrafficProperties? _piped;
        private ChangeApproval? _approval;

        /// <summary>
        /// The piped object as a whole, bound only so the cmdlet can tell a property PowerShell could not convert (and so
        /// left unset, which would mean every port) from one the object lacks. Hidden: it is no setting a user gives.
        /// </summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject? InputObject { get; set; }

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

        /// <summary>The rules from these CIDRs, whoever added them; without a source, only the rules K3sNet added.</summary>
        [Parameter]
        public string[]? SourceCidr { get; set; }

        /// <summary>The rules from these groups, whoever added them.</summary>
        [Parameter]
        public string[]? SourceGroupId { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter]
        public SwitchParameter DryRun { get; set; }

        /// <summary>Removes rules chosen without a port without asking (the question -Confirm:$false also skips).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void BeginProcessing()
        {
            AssertSourceCidrs(SourceCidr);
            _piped = new PipedTrafficProperties(MyInvocation.BoundParameters.Keys,
                (nameof(Protocol), typeof(TrafficProtocol)), (nameof(FromPort), typeof(int)), (nameof(ToPort), typeof(int)));
            _approval = new ChangeApproval(this, Force);
        }

        protected override void ProcessRecord()
        {
            if (_piped!.Check(InputObject) is ErrorRecord unconverted)
            {
                WriteError(unconverted);
                return;
            }

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
            IReadOnlyList<string> groupIds = RevokePlanner.GroupIds(_requests);
            IReadOnlyList<(string GroupId, SecurityGroupRule Rule)> rules = Wait(ec2.DescribeIngressRulesAsync(groupIds, CancellationToken));
            IReadOnlyList<Ec2SecurityGroup> groups = Wait(ec2.DescribeSecurityGroupsAsync(groupIds, CancellationToken));
            foreach (GroupRevoke plan in new RevokePlanner(SourceCidr, SourceGroupId).Plan(_requests, rules, groups.Select(g => g.GroupId)))
            {
                if (!plan.Exists)
                {
                    WriteError(SecurityGroupNotFound(plan.GroupId));
                    continue;
                }

                foreach (SecurityGroupChange notPresent in plan.NotPresent)
                {
                    Emit(notPresent);
                }

                RevokeGroup(ec2, plan.GroupId, plan.Rules, plan.WithoutPort);
            }
        }

        private void RevokeGroup(ICloudNetwork ec2, string groupId, IReadOnlyList<SecurityGroupRule> rules, bool withoutPort)
        {
            if (rules.Count == 0)
            {
                return;
            }

            string summary = string.Join(", ", rules.Select(r => $"{IngressPlanner.PortText(r)} from {r.Source}"));
            // -DryRun removes nothing (EC2 only checks the permission), so it never needs the high-impact question.
            ChangeConsent consent = _approval!.Ask(groupId, $"Remove {rules.Count} inbound rule(s): {summary}", highImpact: withoutPort && !DryRun);
            if (consent != ChangeConsent.Approved)
            {
                // -WhatIf shows what would be removed; a declined prompt is a change the user refused, not one to come.
                Emit(groupId, rules, consent == ChangeConsent.WhatIf ? SecurityGroupChangeAction.WouldRevoke : SecurityGroupChangeAction.Declined);
                return;
            }

            try
            {
                Wait(ec2.RevokeIngressAsync(groupId, rules.Select(r => r.RuleId!).ToList(), DryRun, CancellationToken));
                Emit(groupId, rules, DryRun ? SecurityGroupChangeAction.WouldRevoke : SecurityGroupChangeAction.Revoked);
            }
            catch (Ec2ApiException e) when (e.IsNotFound && !DryRun)
            {
                // Someone removed a rule since K3sNet read the group, and the call removed nothing: revoke what is left.
                IReadOnlyList<(string GroupId, SecurityGroupRule Rule)> current = Wait(ec2.DescribeIngressRulesAsync(new[] { groupId }, CancellationToken));
                (IReadOnlyList<SecurityGroupRule> remaining, IReadOnlyList<SecurityGroupRule> gone) = RevokePlanner.StillPresent(rules, current.Select(r => r.Rule));
                Emit(groupId, gone, SecurityGroupChangeAction.NotPresent);
                if (remaining.Count > 0)
                {
                    Wait(ec2.RevokeIngressAsync(groupId, remaining.Select(r => r.RuleId!).ToList(), false, CancellationToken));
                    Emit(groupId, remaining, SecurityGroupChangeAction.Revoked);
                }
            }
            catch (Ec2ApiException e)
            {
                WriteError(Ec2Error(e, groupId));
            }
        }

        private void Emit(string groupId, IEnumerable<SecurityGroupRule> rules, SecurityGroupChangeAction action)
        {
            foreach (SecurityGroupRule rule in rules)
            {
                Emit(IngressPlanner.Change(groupId, rule, action, rule.RuleId, rule.Description));
            }
        }

        private void Emit(SecurityGroupChange change)
        {
            if (PassThru)
            {
                WriteObject(change);
            }
        }
    }
}
