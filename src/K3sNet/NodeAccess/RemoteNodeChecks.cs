using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.Icmp;
using K3sNet.Vxlan;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// Test-K3sVxlan's kernel-mode checks on a node reached through <see cref="INodeShell"/>: the same state readers,
    /// the same KernelPathTester and verdict rules, with echoes sent by the node's own ping.
    /// </summary>
    internal static class RemoteNodeChecks
    {
        /// <summary>The tester for that node, or the failure Test-K3sVxlan would report there (no flannel.1, no iproute2...).</summary>
        public static async Task<VxlanTesterCreation> CreateTesterAsync(INodeShell shell, VxlanTestOptions options, CancellationToken cancellationToken)
        {
            var notes = new List<string>();
            string device = KernelStateReader.FlannelDeviceName;
            KernelState? state;
            try
            {
                state = await KernelStateReader.ReadAsync(shell, device, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException e)
            {
                return VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.IprouteNotFound, e.FileName, e), notes);
            }

            if (state is null)
            {
                return VxlanTesterCreation.Failed(new VxlanTesterFailure(VxlanTesterProblem.FlannelDeviceNotFound, device, null), notes);
            }

            notes.Add($"{shell.Description}: {VxlanTesterFactory.Describe(state)}");
            Task<HostNetworkState> host = HostNetworkReader.ReadAsync(shell, state.Device.LowerDevice, device, cancellationToken);
            Task<RemoteEchoSender> echoes = RemoteEchoSender.CreateAsync(shell, cancellationToken);
            await Task.WhenAll(host, echoes).ConfigureAwait(false);
            notes.AddRange(HostNotes.Describe(host.Result));
            if (echoes.Result.Flavour == PingFlavour.Missing)
            {
                return VxlanTesterCreation.Failed(
                    new VxlanTesterFailure(VxlanTesterProblem.IcmpNotPermitted, "ping", new IcmpNotPermittedException($"Cannot send ICMP echoes: there is no ping on {shell.Description}.", null)),
                    notes);
            }

            notes.Add($"ICMP echoes use the {echoes.Result.Kind}" +
                (echoes.Result.Flavour == PingFlavour.Iputils ? "." : ", which cannot set DF: full-size echoes and the path MTU are not tested."));

            // No probe namespace: on a cluster node the pods' own path is tested by Test-K3sPodNetwork's pods, which are
            // real pods on cni0, rather than by a namespace K3sNet would have to build and remove on the node.
            return VxlanTesterCreation.Made(new KernelPathTester(state, echoes.Result, host.Result, probePods: false, roundTripSamples: 1), notes);
        }
    }
}
