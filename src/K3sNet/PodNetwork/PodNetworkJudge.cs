using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using K3sNet.ClusterProbes;

namespace K3sNet.PodNetwork
{
    /// <summary>
    /// Turns what the probe pods printed into results with a sentence each. Pod-to-pod first, because they explain the
    /// rest: a pod that cannot resolve names because every CoreDNS pod runs on a node it cannot reach says so ("pods on
    /// k3s-agent-2 cannot resolve names: the cluster DNS (10.43.0.10) runs on k3s-server, which they cannot reach
    /// through VXLAN (UDP 8472)"), and with Test-K3sVxlan's results it names their verdict and reason as the Cause.
    /// </summary>
    internal sealed class PodNetworkJudge
    {
        public const string ClusterDnsName = "cluster DNS";
        public const string KubernetesServiceName = "kubernetes";

        private readonly IReadOnlyList<ProbeNode> _nodes;
        private readonly ClusterTargets _targets;
        private readonly IReadOnlyList<EgressTarget> _egress;
        private readonly Dictionary<(string, string), VxlanPathResult> _vxlan = new(PairComparer.Instance);
        private readonly int _timeoutSeconds;

        /// <summary>(source node, destination node) pairs whose pods could not reach each other.</summary>
        private readonly HashSet<(string, string)> _unreachable = new(PairComparer.Instance);

        public PodNetworkJudge(IReadOnlyList<ProbeNode> nodes, ClusterTargets targets, IReadOnlyList<EgressTarget> egress, IEnumerable<VxlanPathResult> vxlan, int timeoutSeconds)
        {
            _nodes = nodes;
            _targets = targets;
            _egress = egress;
            _timeoutSeconds = timeoutSeconds;
            foreach (VxlanPathResult result in vxlan)
            {
                _vxlan[(result.Source, result.Destination)] = result; // The last one piped in for a pair counts, as in the matrix.
            }
        }

        /// <summary>Every result: for each node in order, its pod-to-pod results, then DNS, CoreDNS pods, the kubernetes Service and egress.</summary>
        public IReadOnlyList<PodNetworkResult> Judge(IReadOnlyDictionary<ProbeNode, PodRunOutcome> outcomes)
        {
            var pairs = new Dictionary<ProbeNode, List<PodNetworkResult>>();
            foreach (ProbeNode source in _nodes)
            {
                pairs[source] = PodToPod(source, outcomes.GetValueOrDefault(source)).ToList();
            }

            // Direct CoreDNS lookups that got no answer say a node is out of reach too, where no probe pod ran on it.
            foreach (ProbeNode source in _nodes)
            {
                if (outcomes.GetValueOrDefault(source) is { Failure: null } outcome)
                {
                    foreach (PlannedProbe planned in outcome.Plan.Where(p => p.Check == PodNetworkCheck.CoreDnsPod && p.CoreDns?.NodeName is not null))
                    {
                        if (outcome.Runs.GetValueOrDefault(planned.Probe.Id) is { } run
                            && BusyboxNslookup.Parse(run.Output, run.TimedOut).Status == LookupStatus.TimedOut
                            && !_nodes.Any(n => Same(n.Node.Name, planned.CoreDns!.NodeName) && n.IsReady))
                        {
                            _unreachable.Add((source.Node.Name, planned.CoreDns!.NodeName!));
                        }
                    }
                }
            }

            var results = new List<PodNetworkResult>();
            foreach (ProbeNode source in _nodes)
            {
                results.AddRange(pairs[source]);
                results.AddRange(Services(source, outcomes.GetValueOrDefault(source)));
            }

            return results;
        }

        private IEnumerable<PodNetworkResult> PodToPod(ProbeNode source, PodRunOutcome? outcome)
        {
            foreach (ProbeNode destination in _nodes.Where(n => !ReferenceEquals(n, source)))
            {
                PodNetworkResult result = Start(source, PodNetworkCheck.PodToPod, destination.Node.Name, "ICMP");
                result.DestinationAddress = destination.PodIP;
                PlannedProbe? planned = outcome?.Plan.FirstOrDefault(p => p.Check == PodNetworkCheck.PodToPod && ReferenceEquals(p.DestinationNode, destination));
                if (NotTested(source, outcome, planned, result))
                {
                    if (planned is null && source.IsReady && outcome?.Failure is null)
                    {
                        result.Reason = destination.IsReady
                            ? $"The probe pod on {destination.Node.Name} has no pod IP, so there is nothing to reach there."
                            : $"The probe pod on {destination.Node.Name} could not run ({destination.NotReadyReason}), so there is no pod there to reach.";
                    }

                    yield return result;
                    continue;
                }

                PingOutcome ping = BusyboxPing.Parse(outcome!.Runs[planned!.Probe.Id].Output);
                if (ping.Answered)
                {
                    result.Verdict = PodNetworkVerdict.Healthy;
                    result.RoundTripMs = ping.MedianRoundTripMs;
                    result.Reason = string.Create(CultureInfo.InvariantCulture,
                        $"Pods on {source.Node.Name} reach the pod on {destination.Node.Name} ({destination.PodIP}): {ping.Replies} of {PodProbeScript.Echoes} echoes came back, {ping.MedianRoundTripMs:0.###} ms.");
                    yield return result;
                    continue;
                }

                _unreachable.Add((source.Node.Name, destination.Node.Name));
                result.Verdict = PodNetworkVerdict.Failed;
                VxlanPathResult? cause = VxlanCause(source.Node.Name, destination.Node.Name);
                result.Cause = cause?.Verdict;
                string why = ping.Error is { } error
                    ? $"ping failed: {error}"
                    : $"none of {PodProbeScript.Echoes} echoes came back within {_timeoutSeconds} s";
                result.Reason = $"Pods on {source.Node.Name} cannot reach the pod on {destination.Node.Name} ({destination.PodIP}): {why}; the path crosses VXLAN (UDP 8472) between the two nodes."
                    + CauseText(cause);
                result.Remedy = cause?.Remedy ?? RunVxlanRemedy(source.Node.Name, destination.Node.Name);
                yield return result;
            }
        }

        private IEnumerable<PodNetworkResult> Services(ProbeNode source, PodRunOutcome? outcome)
        {
            yield return ClusterDns(source, outcome);
            foreach (PodNetworkResult result in CoreDnsPods(source, outcome))
            {
                yield return result;
            }

            yield return KubernetesService(source, outcome);
            foreach (EgressTarget target in _egress)
            {
                yield return Egress(source, outcome, target);
            }
        }

        private PodNetworkResult ClusterDns(ProbeNode source, PodRunOutcome? outcome)
        {
            PodNetworkResult result = Start(source, PodNetworkCheck.ClusterDns, ClusterDnsName, "UDP", 53);
            result.DestinationAddress = _targets.DnsServiceIP;
            PlannedProbe? planned = outcome?.Plan.FirstOrDefault(p => p.Check == PodNetworkCheck.ClusterDns);
            if (NotTested(source, outcome, planned, result))
            {
                if (planned is null && source.IsReady && outcome?.Failure is null)
                {
                    result.Reason = "The cluster has no kube-dns Service with a cluster IP in kube-system, so there is no cluster DNS to ask.";
                    result.Remedy = "Check CoreDNS: kubectl -n kube-system get service kube-dns (k3s deploys it unless started with --disable coredns).";
                }

                return result;
            }

            PodProbeRun run = outcome!.Runs[planned!.Probe.Id];
            LookupOutcome lookup = BusyboxNslookup.Parse(run.Output, run.TimedOut);
            if (lookup.Status == LookupStatus.Answered)
            {
                result.Verdict = PodNetworkVerdict.Healthy;
                result.Reason = $"Pods on {source.Node.Name} resolve {ClusterTargets.LookupName} through the cluster DNS ({_targets.DnsServiceIP}): {string.Join(", ", lookup.Addresses)}.";
                return result;
            }

            result.Verdict = PodNetworkVerdict.Failed;
            (string reason, string remedy, VxlanVerdict? cause) = ExplainDns(source, outcome, "names", lookup);
            result.Reason = reason;
            result.Remedy = remedy;
            result.Cause = cause;
            return result;
        }

        private IEnumerable<PodNetworkResult> CoreDnsPods(ProbeNode source, PodRunOutcome? outcome)
        {
            if (_targets.CoreDnsPods.All(p => p.PodIP is null))
            {
                PodNetworkResult none = Start(source, PodNetworkCheck.CoreDnsPod, "CoreDNS", "UDP", 53);
                NotTested(source, outcome, planned: null, none);
                if (source.IsReady && outcome?.Failure is null)
                {
                    none.Reason = "No CoreDNS pod (k8s-app=kube-dns in kube-system) has an address, so none could be asked directly.";
                    none.Remedy = "Check CoreDNS: kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide.";
                }

                yield return none;
                yield break;
            }

            foreach (CoreDnsEndpoint pod in _targets.CoreDnsPods.Where(p => p.PodIP is not null))
            {
                PodNetworkResult result = Start(source, PodNetworkCheck.CoreDnsPod, pod.Name, "UDP", 53);
                result.DestinationAddress = pod.PodIP;
                PlannedProbe? planned = outcome?.Plan.FirstOrDefault(p => p.Check == PodNetworkCheck.CoreDnsPod && p.CoreDns == pod);
                if (NotTested(source, outcome, planned, result))
                {
                    yield return result;
                    continue;
                }

                PodProbeRun run = outcome!.Runs[planned!.Probe.Id];
                LookupOutcome lookup = BusyboxNslookup.Parse(run.Output, run.TimedOut);
                string where = pod.NodeName is null ? string.Empty : $" on {pod.NodeName}";
                if (lookup.Status == LookupStatus.Answered)
                {
                    result.Verdict = PodNetworkVerdict.Healthy;
                    result.Reason = $"Pods on {source.Node.Name} get an answer from CoreDNS pod {pod.Name} ({pod.PodIP}){where} directly.";
                    yield return result;
                    continue;
                }

                result.Verdict = PodNetworkVerdict.Failed;
                bool across = pod.NodeName is not null && !Same(pod.NodeName, source.Node.Name) && _unreachable.Contains((source.Node.Name, pod.NodeName));
                VxlanPathResult? cause = across ? VxlanCause(source.Node.Name, pod.NodeName!) : null;
                result.Cause = cause?.Verdict;
                result.Reason = across
                    ? $"Pods on {source.Node.Name} get no DNS answer from CoreDNS pod {pod.Name} ({pod.PodIP}){where}, which they cannot reach through VXLAN (UDP 8472)." + CauseText(cause)
                    : $"Pods on {source.Node.Name} get no DNS answer from CoreDNS pod {pod.Name} ({pod.PodIP}){where}: {LookupText(lookup)}.";
                result.Remedy = across
                    ? cause?.Remedy ?? RunVxlanRemedy(source.Node.Name, pod.NodeName!)
                    : $"Check the CoreDNS pod: kubectl -n kube-system logs {pod.Name}, and that it is Ready.";
                yield return result;
            }
        }

        private PodNetworkResult KubernetesService(ProbeNode source, PodRunOutcome? outcome)
        {
            PodNetworkResult result = Start(source, PodNetworkCheck.KubernetesService, KubernetesServiceName, "TCP", _targets.KubernetesServicePort);
            result.DestinationAddress = _targets.KubernetesServiceIP;
            PlannedProbe? planned = outcome?.Plan.FirstOrDefault(p => p.Check == PodNetworkCheck.KubernetesService);
            if (NotTested(source, outcome, planned, result))
            {
                if (planned is null && source.IsReady && outcome?.Failure is null)
                {
                    result.Reason = "The cluster has no kubernetes Service with a cluster IP in default, so there is no Service to connect to.";
                }

                return result;
            }

            PodProbeRun run = outcome!.Runs[planned!.Probe.Id];
            ConnectOutcome connect = BusyboxWget.Parse(run.Output, run.ExitCode);
            string endpoint = string.Create(CultureInfo.InvariantCulture, $"{_targets.KubernetesServiceIP}:{_targets.KubernetesServicePort}");
            if (connect.Status == ConnectStatus.Connected)
            {
                result.Verdict = PodNetworkVerdict.Healthy;
                result.Reason = $"Pods on {source.Node.Name} connect to the kubernetes Service ({endpoint}).";
                return result;
            }

            result.Verdict = PodNetworkVerdict.Failed;
            result.Reason = $"Pods on {source.Node.Name} cannot connect to the kubernetes Service ({endpoint}): {ConnectText(connect)}.";
            result.Remedy = $"The Service leads to the servers' API port (6443): check that kube-proxy on {source.Node.Name} has the Service's rules, and that the servers admit TCP 6443 from {source.Node.Name} (security group, host firewall).";
            return result;
        }

        private PodNetworkResult Egress(ProbeNode source, PodRunOutcome? outcome, EgressTarget target)
        {
            PodNetworkResult result = Start(source, PodNetworkCheck.Egress, target.Name, "TCP", target.Port);
            PlannedProbe? planned = outcome?.Plan.FirstOrDefault(p => p.Check == PodNetworkCheck.Egress && p.Egress == target);
            if (NotTested(source, outcome, planned, result))
            {
                if (planned is null && source.IsReady && outcome?.Failure is null)
                {
                    result.Reason = $"The cluster has no kube-dns Service, so pods have no cluster DNS to resolve {target.Name} with.";
                }

                return result;
            }

            PodProbeRun run = outcome!.Runs[planned!.Probe.Id];
            int connectLine = run.Output.IndexOf("connect: ", StringComparison.Ordinal);
            LookupOutcome lookup = BusyboxNslookup.Parse(connectLine < 0 ? run.Output : run.Output[..connectLine], run.TimedOut && connectLine < 0);
            if (lookup.Status != LookupStatus.Answered || connectLine < 0)
            {
                result.Verdict = PodNetworkVerdict.Failed;
                (string reason, string remedy, VxlanVerdict? cause) = ExplainDns(source, outcome, target.Name, lookup);
                result.Reason = reason;
                result.Remedy = remedy;
                result.Cause = cause;
                return result;
            }

            string address = run.Output[(connectLine + "connect: ".Length)..].Split('\n')[0].Trim();
            result.DestinationAddress = address;
            ConnectOutcome connect = BusyboxWget.Parse(run.Output[connectLine..], run.ExitCode);
            string endpoint = string.Create(CultureInfo.InvariantCulture, $"{address}:{target.Port}");
            if (connect.Status == ConnectStatus.Connected)
            {
                result.Verdict = PodNetworkVerdict.Healthy;
                result.Reason = $"Pods on {source.Node.Name} resolve {target.Name} to {address} through the cluster DNS and connect to {endpoint}.";
                return result;
            }

            result.Verdict = PodNetworkVerdict.Failed;
            result.Reason = $"Pods on {source.Node.Name} resolve {target.Name} to {address} but cannot connect to {endpoint}: {ConnectText(connect)}.";
            result.Remedy = $"Pods leave through {source.Node.Name}'s own address (flannel masquerades them): check that {source.Node.Name}'s security group, network ACL and route table let it reach {endpoint} (a NAT gateway or a VPC endpoint for AWS services).";
            return result;
        }

        /// <summary>
        /// Why a lookup through the cluster DNS failed, in one sentence: the CoreDNS pods all run on nodes this pod
        /// cannot reach; or they answer directly but not through the Service (checksum offload); or what the lookup said.
        /// </summary>
        private (string Reason, string Remedy, VxlanVerdict? Cause) ExplainDns(ProbeNode source, PodRunOutcome outcome, string what, LookupOutcome lookup)
        {
            string name = source.Node.Name;
            string dns = _targets.DnsServiceIP ?? "?";
            if (lookup.Status == LookupStatus.NxDomain)
            {
                return ($"Pods on {name} cannot resolve {what}: the cluster DNS ({dns}) answered that {(what == "names" ? ClusterTargets.LookupName : what)} does not exist (NXDOMAIN).",
                    what == "names"
                        ? "CoreDNS does not serve the cluster's zone: check its Corefile (kubectl -n kube-system get configmap coredns -o yaml)."
                        : $"Check the name; CoreDNS forwards names outside the cluster to the node's resolver (/etc/resolv.conf on the CoreDNS node), which must know {what}.",
                    null);
            }

            string[] coreNodes = _targets.CoreDnsPods.Select(p => p.NodeName).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (lookup.Status is LookupStatus.TimedOut or LookupStatus.Unreachable && coreNodes.Length > 0
                && coreNodes.All(n => !Same(n, name) && _unreachable.Contains((name, n))))
            {
                VxlanPathResult? cause = coreNodes.Select(n => VxlanCause(name, n)).FirstOrDefault(c => c is not null);
                string reason = $"Pods on {name} cannot resolve {what}: the cluster DNS ({dns}) runs on {Join(coreNodes)}, which they cannot reach through VXLAN (UDP 8472)." + CauseText(cause);
                return (reason, cause?.Remedy ?? RunVxlanRemedy(name, coreNodes[0]), cause?.Verdict);
            }

            CoreDnsEndpoint? direct = outcome.Plan
                .Where(p => p.Check == PodNetworkCheck.CoreDnsPod && outcome.Runs.ContainsKey(p.Probe.Id))
                .Where(p => BusyboxNslookup.Parse(outcome.Runs[p.Probe.Id].Output, outcome.Runs[p.Probe.Id].TimedOut).Status == LookupStatus.Answered)
                .Select(p => p.CoreDns).FirstOrDefault();
            if (lookup.Status is LookupStatus.TimedOut && direct is not null)
            {
                VxlanPathResult? offload = _vxlan.Values.FirstOrDefault(v => v.Verdict == VxlanVerdict.ChecksumOffload && (Same(v.Source, name) || Same(v.Destination, name)));
                string reason = $"Pods on {name} cannot resolve {what} through the cluster DNS Service ({dns}), though CoreDNS pod {direct.Name} ({direct.PodIP}) answers them directly: "
                    + "traffic to the Service's address fails while the pod's own address works, as when flannel.1's checksum offload corrupts VXLAN packets after kube-proxy's NAT."
                    + CauseText(offload);
                return (reason,
                    offload?.Remedy ?? "Turn off tx checksum offload on flannel.1 (ethtool -K flannel.1 tx-checksum-ip-generic off) on every node, or run Get-K3sNode | Test-K3sVxlan -AllNodes, which checks it.",
                    offload?.Verdict);
            }

            return ($"Pods on {name} cannot resolve {what}: the cluster DNS ({dns}) {(lookup.Status == LookupStatus.ServerError ? "answered " + lookup.Detail : LookupText(lookup))}.",
                "Check CoreDNS (kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide, and its log), and kube-proxy's rules for the kube-dns Service on " + name + ".",
                null);
        }

        /// <summary>
        /// The node-level result that explains a failure between two nodes' pods: the echo crosses VXLAN one way and its
        /// reply the other, so a failed path either way explains it (the source's own first).
        /// </summary>
        private VxlanPathResult? VxlanCause(string source, string destination)
        {
            foreach ((string, string) pair in new[] { (source, destination), (destination, source) })
            {
                if (_vxlan.GetValueOrDefault(pair) is { } result && result.Verdict is not (VxlanVerdict.Healthy or VxlanVerdict.NotTested))
                {
                    return result;
                }
            }

            return null;
        }

        private static string CauseText(VxlanPathResult? cause) =>
            cause is null ? string.Empty : $" Test-K3sVxlan: {cause.Source} -> {cause.Destination} {cause.Verdict}: {cause.Reason.TrimEnd('.')}.";

        private static string RunVxlanRemedy(string source, string destination) =>
            $"Run Get-K3sNode | Test-K3sVxlan -AllNodes to find why VXLAN between {source} and {destination} fails, and pass its results to -VxlanResult; VxlanBlocked paths pipe into Grant-K3sNodeTraffic.";

        /// <summary>
        /// A result that cannot be judged: the source's pod never ran, its exec failed, or the probe never printed its
        /// line. False (and the result untouched) when the probe ran.
        /// </summary>
        private bool NotTested(ProbeNode source, PodRunOutcome? outcome, PlannedProbe? planned, PodNetworkResult result)
        {
            result.Verdict = PodNetworkVerdict.NotTested;
            if (!source.IsReady)
            {
                result.Reason = $"The probe pod on {source.Node.Name} could not run: {source.NotReadyReason}";
                result.Remedy = "Fix what keeps the pod from running (the reason is the kubelet's), or pass -Image with an image every node holds; the other nodes were tested.";
                return true;
            }

            if (outcome?.Failure is { } failure)
            {
                result.Reason = $"The probes could not run in the pod on {source.Node.Name}: {failure}";
                result.Remedy = "Check that the API server can reach this node's kubelet (TCP 10250) and that you may create pods/exec; the other nodes were tested.";
                return true;
            }

            if (planned is null)
            {
                return true;
            }

            if (outcome is null || !outcome.Runs.ContainsKey(planned.Probe.Id))
            {
                result.Reason = $"The probe in the pod on {source.Node.Name} did not finish in the time its exec had.";
                result.Remedy = "Run again; if it recurs, the node may be overloaded.";
                return true;
            }

            result.Verdict = PodNetworkVerdict.Failed; // Judged by the caller.
            return false;
        }

        private static PodNetworkResult Start(ProbeNode source, PodNetworkCheck check, string destination, string protocol, int? port = null) => new()
        {
            Check = check,
            Source = source.Node.Name,
            SourcePod = source.PodName,
            SourceAddress = source.PodIP,
            Destination = destination,
            Protocol = protocol,
            FromPort = port,
            ToPort = port,
        };

        private string LookupText(LookupOutcome lookup) => lookup.Status switch
        {
            LookupStatus.TimedOut => $"no answer within {_timeoutSeconds} s",
            LookupStatus.Unreachable => $"the query could not be sent ({lookup.Detail})",
            LookupStatus.NxDomain => "the name does not exist (NXDOMAIN)",
            _ => $"the answer was {lookup.Detail}",
        };

        private string ConnectText(ConnectOutcome connect) => connect.Status switch
        {
            ConnectStatus.Refused => "the connection was refused",
            ConnectStatus.Unreachable => $"no route ({connect.Detail})",
            _ => $"no answer to the connection within {_timeoutSeconds} s",
        };

        private static string Join(IReadOnlyList<string> names) =>
            names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];

        private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        /// <summary>Node names compare without regard to case, as host names do.</summary>
        private sealed class PairComparer : IEqualityComparer<(string, string)>
        {
            public static readonly PairComparer Instance = new();

            public bool Equals((string, string) x, (string, string) y) => Same(x.Item1, y.Item1) && Same(x.Item2, y.Item2);

            public int GetHashCode((string, string) pair) =>
                HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(pair.Item1), StringComparer.OrdinalIgnoreCase.GetHashCode(pair.Item2));
        }
    }
}
