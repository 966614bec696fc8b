using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Turns one Node's facts into a <see cref="K3sNode"/>, with the problems that one node shows on its own. Problems
    /// that need the other nodes (a shared public-ip, a different backend) are <see cref="ClusterNodes"/>' job.
    /// </summary>
    internal static class NodeParser
    {
        /// <summary>flannel on Linux always uses VNI 1 (Windows uses 4096), whatever the node publishes.</summary>
        private const int LinuxVni = 1;

        public static K3sNode Parse(NodeFacts facts)
        {
            ArgumentNullException.ThrowIfNull(facts);
            var problems = new List<string>();
            NodeArgs? args = NodeArgs.Parse(Annotation(facts, NodeAnnotations.K3sNodeArgs));

            string[] roles = facts.Labels
                .Where(l => l.Key.StartsWith(NodeAnnotations.RoleLabelPrefix, StringComparison.Ordinal))
                .Select(l => l.Key.Substring(NodeAnnotations.RoleLabelPrefix.Length))
                .Where(r => r.Length > 0)
                .OrderBy(r => r, StringComparer.Ordinal)
                .ToArray();

            var node = new K3sNode
            {
                Name = facts.Name,
                Roles = roles,
                IsServer = roles.Contains("control-plane") || roles.Contains("master")
                    || string.Equals(args?.Subcommand, "server", StringComparison.Ordinal),
                EmbeddedEtcd = roles.Contains("etcd"),
                EmbeddedRegistry = args?.HasFlag("--embedded-registry") ?? false,
                InternalIP = PickAddress(facts, "InternalIP", NodeAnnotations.K3sInternalIP, AddressFamily.InterNetwork),
                InternalIPv6 = PickAddress(facts, "InternalIP", NodeAnnotations.K3sInternalIP, AddressFamily.InterNetworkV6),
                ExternalIP = PickAddress(facts, "ExternalIP", NodeAnnotations.K3sExternalIP, AddressFamily.InterNetwork)
                    ?? PickAddress(facts, "ExternalIP", NodeAnnotations.K3sExternalIP, AddressFamily.InterNetworkV6),
                FlannelPublicIP = Annotation(facts, NodeAnnotations.FlannelPublicIP),
                FlannelPublicIPv6 = Annotation(facts, NodeAnnotations.FlannelPublicIPv6),
                ProviderId = facts.ProviderId,
                K3sVersion = facts.KubeletVersion,
                KernelVersion = facts.KernelVersion,
                OSImage = facts.OsImage,
            };

            (node.InstanceId, node.AvailabilityZone) = ProviderId.Parse(facts.ProviderId);
            node.AvailabilityZone ??= Label(facts, NodeAnnotations.ZoneLabel);

            ReadBackend(facts, node, problems);
            ReadPodCidr(facts, node, problems);
            ReadReady(facts, node, problems);
            CheckPublicAddresses(facts, node, args, problems);

            node.Problems = problems.ToArray();
            return node;
        }

        private static void ReadBackend(NodeFacts facts, K3sNode node, List<string> problems)
        {
            string? type = Annotation(facts, NodeAnnotations.FlannelBackendType);
            if (type is null)
            {
                return;
            }

            if (!FlannelBackendName.TryParse(type, out FlannelBackend backend))
            {
                problems.Add($"flannel backend-type '{type}' is not one K3sNet knows (vxlan, host-gw, wireguard).");
                return;
            }

            node.FlannelBackend = backend;
            string? data = Annotation(facts, NodeAnnotations.FlannelBackendData);
            if (backend != K3sNet.FlannelBackend.Vxlan || data is null)
            {
                return;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(data);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty property in document.RootElement.EnumerateObject())
                    {
                        if (property.NameEquals("VtepMAC") && property.Value.ValueKind == JsonValueKind.String)
                        {
                            node.VtepMac = property.Value.GetString()?.ToLowerInvariant();
                        }
                        else if (property.NameEquals("VNI") && property.Value.TryGetInt32(out int vni))
                        {
                            node.Vni = vni;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                problems.Add($"flannel backend-data is not valid JSON ('{data}'): its VTEP MAC and VNI are unknown.");
                return;
            }

            bool linux = !string.Equals(
                Label(facts, NodeAnnotations.OsLabel) ?? facts.OperatingSystem, "windows", StringComparison.OrdinalIgnoreCase);
            if (linux && node.Vni is int other && other != LinuxVni)
            {
                problems.Add($"VXLAN VNI is {other}, but flannel on Linux uses VNI 1: Linux peers drop this node's VXLAN packets.");
            }
        }

        private static void ReadPodCidr(NodeFacts facts, K3sNode node, List<string> problems)
        {
            string? ipv4 = facts.PodCidrs.FirstOrDefault(c => FamilyOfCidr(c) == AddressFamily.InterNetwork);
            node.PodCidr = ipv4;
            if (facts.PodCidrs.Count == 0)
            {
                problems.Add("No podCIDR is assigned: flannel has no pod subnet for this node and no peer routes to its pods.");
                return;
            }

            // flannel.1 carries the pod subnet's base address as a /32 (10.42.1.0/24 -> 10.42.1.0).
            if (ipv4 is not null && node.FlannelBackend == K3sNet.FlannelBackend.Vxlan)
            {
                node.VtepAddress = ipv4.Split('/')[0];
            }
        }

        private static void ReadReady(NodeFacts facts, K3sNode node, List<string> problems)
        {
            NodeConditionFact? ready = facts.Conditions.FirstOrDefault(c => c.Type == "Ready");
            node.Ready = ready is not null && string.Equals(ready.Status, "True", StringComparison.Ordinal);
            if (node.Ready)
            {
                return;
            }

            if (ready is null)
            {
                problems.Add("NotReady: the node reports no Ready condition.");
                return;
            }

            string why = string.Join(": ", new[] { ready.Reason, ready.Message }.Where(s => !string.IsNullOrWhiteSpace(s)));
            problems.Add(why.Length == 0 ? $"NotReady (Ready is {ready.Status})." : $"NotReady (Ready is {ready.Status}): {why}");
        }

        private static void CheckPublicAddresses(NodeFacts facts, K3sNode node, NodeArgs? args, List<string> problems)
        {
            HashSet<IPAddress> own = OwnAddresses(facts);
            foreach (string? publicIp in new[] { node.FlannelPublicIP, node.FlannelPublicIPv6 })
            {
                if (publicIp is null)
                {
                    continue;
                }

                if (!IPAddress.TryParse(publicIp, out IPAddress? address))
                {
                    problems.Add($"flannel public-ip '{publicIp}' is not an IP address: peers cannot send VXLAN to it.");
                }
                else if (own.Count > 0 && !own.Contains(address))
                {
                    problems.Add($"flannel public-ip {publicIp} is not among the node's addresses ({string.Join(", ", own)}): "
                        + "peers send VXLAN to an address this node may not own (check --flannel-iface or --node-external-ip).");
                }
            }

            // k3s writes the overwrite for --flannel-external-ip and never removes it (k3s#13388).
            string? overwrite = Annotation(facts, NodeAnnotations.FlannelPublicIPOverwrite)
                ?? Annotation(facts, NodeAnnotations.FlannelPublicIPv6Overwrite);
            if (overwrite is not null && args is not null && !args.HasFlag("--flannel-external-ip"))
            {
                problems.Add($"public-ip-overwrite is {overwrite} but k3s runs without --flannel-external-ip: k3s never removes "
                    + $"the overwrite (k3s#13388), so peers still send VXLAN to {overwrite}. Remove it with "
                    + $"'kubectl annotate node {facts.Name} {NodeAnnotations.FlannelPublicIPOverwrite}-' and restart k3s on the node.");
            }
        }

        private static HashSet<IPAddress> OwnAddresses(NodeFacts facts)
        {
            var own = new HashSet<IPAddress>();
            IEnumerable<string> candidates = facts.Addresses
                .Where(a => a.Type is "InternalIP" or "ExternalIP")
                .Select(a => a.Address)
                .Concat(SplitList(Annotation(facts, NodeAnnotations.K3sInternalIP)))
                .Concat(SplitList(Annotation(facts, NodeAnnotations.K3sExternalIP)))
                .Concat(SplitList(Annotation(facts, NodeAnnotations.ProvidedNodeIP)));
            foreach (string candidate in candidates)
            {
                if (IPAddress.TryParse(candidate, out IPAddress? address))
                {
                    own.Add(address);
                }
            }

            return own;
        }

        /// <summary>The first address of a family from status.addresses, else from the k3s annotation.</summary>
        private static string? PickAddress(NodeFacts facts, string type, string annotation, AddressFamily family)
        {
            IEnumerable<string> fromStatus = facts.Addresses.Where(a => a.Type == type).Select(a => a.Address);
            return fromStatus.Concat(SplitList(Annotation(facts, annotation)))
                .FirstOrDefault(a => IPAddress.TryParse(a, out IPAddress? ip) && ip.AddressFamily == family);
        }

        private static AddressFamily? FamilyOfCidr(string cidr) =>
            IPAddress.TryParse(cidr.Split('/')[0], out IPAddress? ip) ? ip.AddressFamily : null;

        private static IEnumerable<string> SplitList(string? value) =>
            value is null ? Array.Empty<string>() : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        private static string? Annotation(NodeFacts facts, string key) =>
            facts.Annotations.TryGetValue(key, out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        private static string? Label(NodeFacts facts, string key) =>
            facts.Labels.TryGetValue(key, out string? value) && !string.IsNullOrWhiteSpace(value) ? value : null;
    }
}
