namespace K3sNet.Tests.Vxlan
{
    /// <summary>
    /// iproute2's JSON captured from node-a of a 3-node lab (tests/Lab) with a stale fdb entry for node-c (dst 10.0.1.250),
    /// so the parsers are checked against what the kernel and iproute2 really print.
    /// </summary>
    internal static class LabCapture
    {
        public const string NodeAMac = "06:1d:2f:bc:71:0f";
        public const string NodeBMac = "2e:01:6f:60:f4:c6";
        public const string NodeCMac = "5a:93:f5:ec:c1:e8";

        public const string FlannelLink = """
[{"ifindex":3,"ifname":"flannel.1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"qdisc":"noqueue","operstate":"UNKNOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"06:1d:2f:bc:71:0f","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":0,"allmulti":0,"min_mtu":68,"max_mtu":65535,"linkinfo":{"info_kind":"vxlan","info_data":{"id":1,"local":"10.0.1.10","link":"eth0","port_range":{"low":0,"high":0},"port":8472,"learning":false,"ttl":0,"df":"unset","ageing":300,"udp_csum":true,"udp_zero_csum6_tx":false,"udp_zero_csum6_rx":false}},"inet6_addr_gen_mode":"eui64","num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536}]
""";

        public const string Eth0Link = """
[{"ifindex":2,"link_index":3,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"76:b6:3a:19:e2:b0","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0}]
""";

        public const string Neighbours = """
[{"dst":"10.42.2.0","lladdr":"5a:93:f5:ec:c1:e8","state":["PERMANENT"]},{"dst":"10.42.1.0","lladdr":"2e:01:6f:60:f4:c6","state":["PERMANENT"]}]
""";

        public const string Fdb = """
[{"mac":"5a:93:f5:ec:c1:e8","dst":"10.0.1.250","flags":["self"],"state":"permanent"},{"mac":"2e:01:6f:60:f4:c6","dst":"10.0.1.11","flags":["self"],"state":"permanent"}]
""";

        public const string Routes = """
[{"dst":"10.42.1.0/24","gateway":"10.42.1.0","flags":["onlink"]},{"dst":"10.42.2.0/24","gateway":"10.42.2.0","flags":["onlink"]}]
""";
    }
}
