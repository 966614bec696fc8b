using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using K3sNet.ClusterProbes;

namespace K3sNet.PodNetwork
{
    /// <summary>
    /// Which probes each ready pod runs: a ping to every other node's ready pod, the cluster DNS, each CoreDNS pod, the
    /// kubernetes Service, and every egress name. A destination that cannot be tried (a peer whose pod never ran, a
    /// cluster without kube-dns) is no probe: the judge makes it NotTested with the reason.
    /// </summary>
    internal static class PodNetworkPlan
    {
        public static IReadOnlyList<PlannedProbe> For(ProbeNode source, IReadOnlyList<ProbeNode> nodes, ClusterTargets targets, IReadOnlyList<EgressTarget> egress)
        {
            var probes = new List<PlannedProbe>();
            string Next(string prefix) => prefix + probes.Count.ToString(CultureInfo.InvariantCulture);

            foreach (ProbeNode peer in nodes.Where(n => !ReferenceEquals(n, source) && n.IsReady && n.PodIP is not null))
            {
                probes.Add(new PlannedProbe(new PodProbe(Next("p"), PodProbeKind.Ping, peer.PodIP!), PodNetworkCheck.PodToPod, peer.Node.Name, DestinationNode: peer));
            }

            if (targets.DnsServiceIP is { } dns)
            {
                probes.Add(new PlannedProbe(new PodProbe(Next("d"), PodProbeKind.Lookup, dns, ClusterTargets.LookupName), PodNetworkCheck.ClusterDns, PodNetworkJudge.ClusterDnsName));
            }

            foreach (CoreDnsEndpoint pod in targets.CoreDnsPods.Where(p => p.PodIP is not null))
            {
                probes.Add(new PlannedProbe(new PodProbe(Next("c"), PodProbeKind.Lookup, pod.PodIP!, ClusterTargets.LookupName), PodNetworkCheck.CoreDnsPod, pod.Name, CoreDns: pod));
            }

            if (targets.KubernetesServiceIP is { } api)
            {
                probes.Add(new PlannedProbe(new PodProbe(Next("k"), PodProbeKind.Connect, api, Port: targets.KubernetesServicePort), PodNetworkCheck.KubernetesService, PodNetworkJudge.KubernetesServiceName));
            }

            if (targets.DnsServiceIP is { } resolver)
            {
                foreach (EgressTarget target in egress)
                {
                    probes.Add(new PlannedProbe(new PodProbe(Next("e"), PodProbeKind.ResolveAndConnect, resolver, target.Name, target.Port), PodNetworkCheck.Egress, target.Name, Egress: target));
                }
            }

            return probes;
        }
    }
}
