using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using K3sNet.Vxlan;

namespace K3sNet.Commands
{
    /// <summary>
    /// The ErrorRecords of Test-K3sVxlan and Start-K3sVxlanResponder: each with a stable id, category, target and what
    /// to do, kept here so the cmdlets only decide when to write them.
    /// </summary>
    internal static class VxlanErrors
    {
        public static ErrorRecord FromTesterFailure(VxlanTesterFailure failure) => failure.Problem switch
        {
            VxlanTesterProblem.KernelModeNeedsLinux => K3sNetErrors.Create(
                "KernelModeNeedsLinux", ErrorCategory.NotImplemented, failure.Target,
                "Test-K3sVxlan tests through the kernel's flannel.1, which only a Linux k3s node has.",
                "Run it on a k3s node, or test with K3sNet's own VXLAN probes: Test-K3sVxlan -ComputerName <peer> -Probe."),
            VxlanTesterProblem.IprouteNotFound => K3sNetErrors.Create(
                "IprouteNotFound", ErrorCategory.ObjectNotFound, failure.Target, failure.Cause!.Message,
                "Install iproute2 (apt-get install iproute2, or dnf install iproute), which provides 'ip' and 'bridge'.",
                failure.Cause),
            VxlanTesterProblem.FlannelDeviceNotFound => K3sNetErrors.Create(
                "FlannelDeviceNotFound", ErrorCategory.ObjectNotFound, failure.Target,
                $"This host has no flannel VXLAN device '{failure.Target}' (read with 'ip -d link', from iproute2), so there is no kernel path to test: " +
                "k3s is not installed or not running here, or it uses another flannel backend.",
                "Run Test-K3sVxlan on a k3s node that runs flannel's vxlan backend, or test without flannel with K3sNet's own VXLAN probes: " +
                "start Start-K3sVxlanResponder on the peer and run Test-K3sVxlan -ComputerName <peer> -Probe here."),
            VxlanTesterProblem.IcmpNotPermitted => K3sNetErrors.Create(
                "IcmpNotPermitted", ErrorCategory.PermissionDenied, failure.Target, failure.Cause!.Message,
                "Run as root (sudo), or let your group use the ICMP datagram socket: sudo sysctl -w net.ipv4.ping_group_range='0 2147483647'.",
                failure.Cause),
            _ => throw new ArgumentOutOfRangeException(nameof(failure), failure.Problem, "No ErrorRecord for this failure."),
        };

        public static ErrorRecord InvalidNodeAddress(K3sNode node, string problem) => K3sNetErrors.Create(
            "InvalidNodeAddress", ErrorCategory.InvalidData, node, problem,
            "Check the node's flannel.alpha.coreos.com/public-ip annotation and spec.podCIDR.");

        public static ErrorRecord ComputerNameNotResolved(string name) => K3sNetErrors.Create(
            "ComputerNameNotResolved", ErrorCategory.ObjectNotFound, name,
            $"'{name}' does not resolve to an IPv4 address.",
            "Give the peer's IPv4 underlay address (its flannel public-ip) instead.");

        public static ErrorRecord VtepAddressCountMismatch(string[] computerNames, IPAddress[] vtepAddresses) => K3sNetErrors.Create(
            "VtepAddressCountMismatch", ErrorCategory.InvalidArgument, vtepAddresses,
            $"-ComputerName names {computerNames.Length} peer(s) but -VtepAddress gives {vtepAddresses.Length} address(es).",
            "Give one VTEP address for each computer name, in the same order, or leave -VtepAddress out to read them from flannel.1's entries.");

        /// <summary>The responder cannot listen on <paramref name="endpoint"/>; a port in use most often means flannel.1 has it.</summary>
        public static ErrorRecord ResponderBindFailed(SocketException e, IPEndPoint endpoint)
        {
            if (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return K3sNetErrors.Create(
                    "ResponderPortInUse",
                    ErrorCategory.ResourceUnavailable,
                    endpoint,
                    $"UDP {endpoint} is already in use: flannel.1 owns UDP {endpoint.Port} once k3s runs, or another responder is listening.",
                    $"Where k3s runs, test with Test-K3sVxlan without -Probe (it uses flannel.1 itself); otherwise stop the other listener or choose another -Port and give Test-K3sVxlan -Probe the same -Port.",
                    e);
            }

            return K3sNetErrors.Create(
                "ResponderBindFailed",
                ErrorCategory.OpenError,
                endpoint,
                $"Cannot listen on UDP {endpoint}: {e.Message}",
                "Check that -BindAddress is an address of this host and that -Port is allowed for this user.",
                e);
        }
    }
}
