using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>What the user said to one change: go ahead, only show it (-WhatIf), or no (a declined -Confirm prompt).</summary>
    internal enum ChangeConsent
    {
        Approved,
        WhatIf,
        Declined,
    }

    /// <summary>
    /// ShouldProcess for a changing cmdlet, told apart by why it said no: -WhatIf shows a change that would be made, a
    /// declined prompt is a change the user refused, and the -PassThru record must say which (WouldAdd is not Declined).
    /// A high-impact change (Revoke without a port removes every K3sNet rule of a group) also asks when
    /// $ConfirmPreference is High, PowerShell's default, as a cmdlet of ConfirmImpact High does, unless -Force or
    /// -Confirm:$false: ConfirmImpact is one value per cmdlet, and Revoke for one port stays Medium.
    /// </summary>
    internal sealed class ChangeApproval
    {
        private readonly PSCmdlet _cmdlet;
        private readonly bool _force;
        private bool _yesToAll;
        private bool _noToAll;

        public ChangeApproval(PSCmdlet cmdlet, bool force)
        {
            _cmdlet = cmdlet;
            _force = force;
        }

        /// <param name="description">
        /// What -WhatIf prints and the prompt shows, when the change needs more than an action and a target (Grant says
        /// which group it chose and why); by default the words PowerShell's two-argument ShouldProcess uses.
        /// </param>
        public ChangeConsent Ask(string target, string action, bool highImpact = false, string? description = null)
        {
            description ??= $"Performing the operation \"{action}\" on target \"{target}\".";
            if (!_cmdlet.ShouldProcess(description, $"Are you sure you want to perform this action?\n{description}", "Confirm", out ShouldProcessReason reason))
            {
                return reason == ShouldProcessReason.WhatIf ? ChangeConsent.WhatIf : ChangeConsent.Declined;
            }

            if (!highImpact || _force || !OnlyHighImpactAsks())
            {
                return ChangeConsent.Approved;
            }

            return _cmdlet.ShouldContinue($"{action} on {target}? No port was given, so this is every matching rule in the group. (-Force or -Confirm:$false skips this question.)",
                "Confirm", ref _yesToAll, ref _noToAll)
                ? ChangeConsent.Approved
                : ChangeConsent.Declined;
        }

        /// <summary>
        /// Whether ShouldProcess just let a Medium change through without asking although a High one must ask: the
        /// effective confirm preference is High. -Confirm (Low) has asked already; -Confirm:$false and 'None' never ask.
        /// </summary>
        private bool OnlyHighImpactAsks()
        {
            if (_cmdlet.MyInvocation.BoundParameters.ContainsKey("Confirm"))
            {
                return false;
            }

            object? preference = _cmdlet.GetVariableValue("ConfirmPreference");
            return LanguagePrimitives.TryConvertTo(preference, out ConfirmImpact impact) && impact == ConfirmImpact.High;
        }
    }
}
