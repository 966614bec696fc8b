namespace K3sNet.Aws
{
    /// <summary>EC2's protocol names: security groups say <c>tcp</c>/<c>udp</c>/<c>-1</c>, network ACLs the numbers 6/17/-1.</summary>
    internal static class Ec2Protocol
    {
        public static string Name(TrafficProtocol protocol) => protocol switch
        {
            TrafficProtocol.Tcp => "tcp",
            TrafficProtocol.Udp => "udp",
            _ => "-1",
        };

        public static string Number(TrafficProtocol protocol) => protocol switch
        {
            TrafficProtocol.Tcp => "6",
            TrafficProtocol.Udp => "17",
            _ => "-1",
        };

        /// <summary>The protocol of an EC2 rule, or null for one K3sNet does not model (icmp, a number other than 6/17).</summary>
        public static TrafficProtocol? Parse(string? ipProtocol) => ipProtocol?.ToLowerInvariant() switch
        {
            "tcp" or "6" => TrafficProtocol.Tcp,
            "udp" or "17" => TrafficProtocol.Udp,
            "-1" or "all" => TrafficProtocol.All,
            _ => null,
        };
    }
}
