using System;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Why Test-K3sVxlan cannot test from this host, for the cmdlet to turn into its ErrorRecord:
    /// <paramref name="Target"/> is what the error is about (a device, a missing tool), <paramref name="Cause"/> the
    /// exception that told us, when one did.
    /// </summary>
    internal sealed record VxlanTesterFailure(VxlanTesterProblem Problem, string? Target, Exception? Cause);

    internal enum VxlanTesterProblem
    {
        /// <summary>Kernel mode on a host that is not Linux: there is no flannel.1 to test through.</summary>
        KernelModeNeedsLinux,

        /// <summary>iproute2 ('ip', 'bridge') is not installed, so flannel.1 cannot be read.</summary>
        IprouteNotFound,

        /// <summary>This host has no flannel VXLAN device: k3s is not here, or runs another backend.</summary>
        FlannelDeviceNotFound,

        /// <summary>Kernel mode needs ICMP echoes, and this user may open neither ICMP socket.</summary>
        IcmpNotPermitted,
    }
}
