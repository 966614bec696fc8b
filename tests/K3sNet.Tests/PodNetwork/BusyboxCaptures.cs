namespace K3sNet.Tests.PodNetwork
{
    /// <summary>
    /// Output of busybox 1.35 (Debian's, the lab's k3s tool directory carries it) captured 2026-12-02 in two network
    /// namespaces joined by a veth: dnsmasq and busybox httpd on 10.99.0.2, nft dropping everything to 10.99.0.3, a
    /// Python listener that never accepts on 10.99.0.2:8443, and no route to 10.98.0.0/16. The K3SNET lines are what
    /// PodProbeScript's jobs printed there (\u001f for the output's newlines).
    /// </summary>
    internal static class BusyboxCaptures
    {
        public const string PingAnswered =
            "PING 10.99.0.2 (10.99.0.2): 56 data bytes\n64 bytes from 10.99.0.2: seq=0 ttl=64 time=1.751 ms\n64 bytes from 10.99.0.2: seq=1 ttl=64 time=0.077 ms\n"
            + "64 bytes from 10.99.0.2: seq=2 ttl=64 time=0.063 ms\n\n--- 10.99.0.2 ping statistics ---\n3 packets transmitted, 3 packets received, 0% packet loss\n"
            + "round-trip min/avg/max = 0.063/0.630/1.751 ms";

        /// <summary>ping -c 3 to the dropped address, ended by busybox timeout before its summary: nothing at all.</summary>
        public const string PingKilled = "";

        public const string PingLost =
            "PING 10.99.0.3 (10.99.0.3): 56 data bytes\n\n--- 10.99.0.3 ping statistics ---\n3 packets transmitted, 0 packets received, 100% packet loss";

        /// <summary>ping with -w ending before -c: replies came, exit code 1 all the same.</summary>
        public const string PingDeadlineWithReplies =
            "PING 127.0.0.1 (127.0.0.1): 56 data bytes\n64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.046 ms\n64 bytes from 127.0.0.1: seq=1 ttl=64 time=0.074 ms\n\n"
            + "--- 127.0.0.1 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min/avg/max = 0.046/0.060/0.074 ms";

        public const string LookupAnswered =
            "Server:\t\t10.99.0.2\nAddress:\t10.99.0.2:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.43.0.1\n";

        /// <summary>Without -type=a: the A answer, then the AAAA query refused; exit code 1 though the name resolved.</summary>
        public const string LookupAnsweredAaaaRefused =
            "Server:\t\t10.99.0.2\nAddress:\t10.99.0.2:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.43.0.1\n\n"
            + "** server can't find kubernetes.default.svc.cluster.local: REFUSED\n";

        public const string LookupNxDomain =
            "Server:\t\t10.99.0.2\nAddress:\t10.99.0.2:53\n\n** server can't find nope.default.svc.cluster.local: NXDOMAIN\n";

        public const string LookupRefused =
            "Server:\t\t10.99.0.2\nAddress:\t10.99.0.2:53\n\n** server can't find nope.example.com: REFUSED\n";

        public const string LookupTimedOut = ";; connection timed out; no servers could be reached\n";

        public const string LookupNetworkUnreachable = "nslookup: can't connect to remote host (10.98.0.3): Network is unreachable";

        public const string WgetHttpError = "Connecting to 10.99.0.2:8080 (10.99.0.2:8080)\nwget: server returned error: HTTP/1.1 404 Not Found\nestablished: 0";

        public const string WgetRefused = "Connecting to 10.99.0.2:9 (10.99.0.2:9)\nwget: can't connect to remote host (10.99.0.2): Connection refused\nestablished: 0";

        /// <summary>No SYN-ACK: busybox timeout ended wget (exit 143), and no socket to the address was left.</summary>
        public const string WgetTimedOut = "Terminated\nConnecting to 10.99.0.3:443 (10.99.0.3:443)\nestablished: 0";

        /// <summary>A listener that never answers: connected, then ended by busybox timeout; the socket lingers in FIN_WAIT.</summary>
        public const string WgetConnectedSilent = "Terminated\nConnecting to 10.99.0.2:8443 (10.99.0.2:8443)\nestablished: 1";

        public const string WgetResetAfterConnect = "Connecting to 10.99.0.2:8080 (10.99.0.2:8080)\nwget: error getting response: Connection reset by peer\nestablished: 0";

        /// <summary>Four jobs of one pod's script, in the order they finished.</summary>
        public const string ScriptOutput =
            "K3SNET l0 0 Server:\t\t10.99.0.2\u001fAddress:\t10.99.0.2:53\u001f\u001fName:\tkubernetes.default.svc.cluster.local\u001fAddress: 10.43.0.1\n"
            + "K3SNET e1 1 Server:\t\t10.99.0.2\u001fAddress:\t10.99.0.2:53\u001f\u001f** server can't find nope.example.com: REFUSED\n"
            + "K3SNET e0 1 Server:\t\t10.99.0.2\u001fAddress:\t10.99.0.2:53\u001f\u001fName:\tssm.us-east-1.amazonaws.com\u001fAddress: 10.99.0.2\u001fconnect: 10.99.0.2\u001f"
            + "Connecting to 10.99.0.2:8080 (10.99.0.2:8080)\u001fwget: server returned error: HTTP/1.1 404 Not Found\u001festablished: 0\n"
            + "K3SNET p1 143 \n";
    }
}
