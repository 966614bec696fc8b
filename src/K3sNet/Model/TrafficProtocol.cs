namespace K3sNet
{
    /// <summary>The IP protocol of a flow, named as security groups name it.</summary>
    public enum TrafficProtocol
    {
        Tcp,
        Udp,

        /// <summary>Every protocol and port (EC2's "-1"): what routed pod traffic needs under flannel host-gw.</summary>
        All,
    }
}
