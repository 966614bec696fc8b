namespace K3sNet
{
    /// <summary>One security-group ingress rule that was added, found present, revoked, or would be.</summary>
    public sealed class SecurityGroupChange
    {
        public string GroupId { get; set; } = string.Empty;

        public TrafficProtocol Protocol { get; set; }

        public int FromPort { get; set; }

        public int ToPort { get; set; }

        /// <summary>A CIDR or a security group id.</summary>
        public string Source { get; set; } = string.Empty;

        public string Description { get; set; } = string.Empty;

        public SecurityGroupChangeAction Action { get; set; }

        /// <summary>The rule's id (sgr-…), when EC2 returned one.</summary>
        public string? RuleId { get; set; }

        public override string ToString() => $"{Action} {GroupId} {Protocol.ToString().ToLowerInvariant()}/{FromPort}-{ToPort} from {Source}";
    }
}
