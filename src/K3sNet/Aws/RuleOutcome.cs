namespace K3sNet.Aws
{
    /// <summary>
    /// One wanted rule judged against a group's current rules: <see cref="SecurityGroupChangeAction.AlreadyPresent"/>
    /// with the <paramref name="Present"/> rule that already admits it, or <see cref="SecurityGroupChangeAction.WouldAdd"/>.
    /// </summary>
    internal sealed record RuleOutcome(SecurityGroupRule Rule, SecurityGroupChangeAction Action, SecurityGroupRule? Present);
}
