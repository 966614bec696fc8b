namespace K3sNet.Aws
{
    /// <summary>
    /// A node as the security-group analysis sees it: its role (null when unknown, which matches every row of the
    /// matrix), the address its traffic leaves from, the address VXLAN uses, and its instance.
    /// </summary>
    internal sealed record AnalysisNode(string Name, K3sRole? Role, string? Address, string? VxlanAddress, string? Ipv6Address, Ec2Instance Instance)
    {
        private string? _groupsKey;

        /// <summary>The node's security groups as one string: the part of a memo key that says which groups it has.</summary>
        public string GroupsKey => _groupsKey ??= string.Join(',', Instance.GroupIds);

        public bool In(NodeScope scope) => Role is not K3sRole role || scope.Includes(role);

        /// <summary>The address a flow of <paramref name="requirement"/> uses from or to this node.</summary>
        public string? AddressFor(PortRequirement requirement, bool ipv6) =>
            ipv6 ? Ipv6Address : IsVxlan(requirement) ? VxlanAddress ?? Address : Address;

        private static bool IsVxlan(PortRequirement requirement) =>
            requirement.Protocol == TrafficProtocol.Udp && requirement.FromPort == 8472;
    }
}
