namespace K3sNet.Aws
{
    /// <summary>
    /// A node as the security-group analysis sees it: its role (null when unknown, which matches every row of the
    /// matrix), the addresses its traffic leaves from, the addresses VXLAN uses (flannel's public-ip and public-ipv6,
    /// which may differ), and its instance.
    /// </summary>
    internal sealed record AnalysisNode(
        string Name, K3sRole? Role, string? Address, string? VxlanAddress, string? Ipv6Address, Ec2Instance Instance, string? VxlanIpv6Address = null)
    {
        private string? _groupsKey;
        private string? _namedAddress;
        private string? _named;

        /// <summary>The node's security groups as one string: the part of a memo key that says which groups it has.</summary>
        public string GroupsKey => _groupsKey ??= string.Join(',', Instance.GroupIds);

        /// <summary>
        /// "name (address)" as a verdict's reason names the node, or the address alone when the name is the address.
        /// A node's verdicts mostly use one address, so the last one is kept rather than formatted for every pair.
        /// </summary>
        public string Named(string address)
        {
            if (!string.Equals(address, _namedAddress, System.StringComparison.Ordinal))
            {
                _named = Name == address ? address : $"{Name} ({address})";
                _namedAddress = address;
            }

            return _named!;
        }

        public bool In(NodeScope scope) => Role is not K3sRole role || scope.Includes(role);

        /// <summary>The address a flow of <paramref name="requirement"/> uses from or to this node.</summary>
        public string? AddressFor(PortRequirement requirement, bool ipv6) =>
            IsVxlan(requirement)
                ? (ipv6 ? VxlanIpv6Address ?? Ipv6Address : VxlanAddress ?? Address)
                : (ipv6 ? Ipv6Address : Address);

        private static bool IsVxlan(PortRequirement requirement) =>
            requirement.Protocol == TrafficProtocol.Udp && requirement.FromPort == 8472;
    }
}
