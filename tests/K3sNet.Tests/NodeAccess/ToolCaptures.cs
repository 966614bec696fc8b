namespace K3sNet.Tests.NodeAccess
{
    /// <summary>What the node tools printed, captured on Debian 12 (iputils 20221126, BusyBox 1.35.0, ethtool 6.1) in a network namespace.</summary>
    internal static class ToolCaptures
    {
        public const string IputilsVersion = """
            ping from iputils 20221126
            libcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes

            """;

        /// <summary>`busybox ping -V`: exit 1, this on stderr.</summary>
        public const string BusyboxVersionError = """
            ping: invalid option -- 'V'
            BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

            Usage: ping [OPTIONS] HOST
            """;

        public const string IputilsReply = """
            PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
            64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.028 ms

            --- 127.0.0.1 ping statistics ---
            1 packets transmitted, 1 received, 0% packet loss, time 0ms
            rtt min/avg/max/mdev = 0.028/0.028/0.028/0.000 ms

            """;

        public const string BusyboxReply = """
            PING 127.0.0.1 (127.0.0.1): 56 data bytes
            64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.025 ms

            --- 127.0.0.1 ping statistics ---
            1 packets transmitted, 1 packets received, 0% packet loss
            round-trip min/avg/max = 0.025/0.025/0.025 ms

            """;

        /// <summary>`ping -n -c 1 -W 1 -M do -s 1450 10.8.0.2` over a route with MTU 1400: exit 1, stdout without a reply.</summary>
        public const string IputilsMessageTooLong = """
            PING 10.8.0.2 (10.8.0.2) 1450(1478) bytes of data.

            --- 10.8.0.2 ping statistics ---
            1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms

            """;

        public const string IputilsMessageTooLongError = "ping: local error: message too long, mtu=1400";

        public const string WgetRefused = "wget: can't connect to remote host (127.0.0.1): Connection refused";

        public const string WgetHttpError = "wget: server returned error: HTTP/1.1 404 Not Found";

        public const string WgetUnreachable = "wget: can't connect to remote host (10.9.9.9): Network is unreachable";

        public const string WgetTimedOut = "wget: download timed out";

        public const string EthtoolFlannelOn = """
            Features for flannel.1:
            rx-checksumming: on
            tx-checksumming: on
            	tx-checksum-ipv4: off [fixed]
            	tx-checksum-ip-generic: on
            	tx-checksum-ipv6: off [fixed]
            	tx-checksum-fcoe-crc: off [fixed]
            	tx-checksum-sctp: off [fixed]
            scatter-gather: on
            	tx-scatter-gather: on
            	tx-scatter-gather-fraglist: on
            tcp-segmentation-offload: on

            """;

        /// <summary>After `ethtool -K flannel.1 tx off`, the workaround for the checksum offload bug.</summary>
        public const string EthtoolFlannelOff = """
            Features for flannel.1:
            rx-checksumming: on
            tx-checksumming: off
            	tx-checksum-ipv4: off [fixed]
            	tx-checksum-ip-generic: off

            """;
    }
}
