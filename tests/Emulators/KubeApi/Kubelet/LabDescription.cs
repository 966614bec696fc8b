using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The parts of the lab's lab.json (tests/Lab/K3sNetLab.psm1 Save-LabState) the kubelet runs pods with: the
    /// contract in notes CONTRACT-LAB (Prefix, CniPlugin, OwnerPid, and per node Name, Namespace, UnderlayAddress,
    /// PodCidr, InitPid). OwnerPid is the process that built the lab, in the machine's mount namespace.
    /// </summary>
    public sealed record LabDescription(string Prefix, string CniPlugin, int OwnerPid, IReadOnlyList<LabNode> Nodes)
    {
        public static LabDescription Load(string path)
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' is empty.");
            string prefix = Required(root, "Prefix", path);
            string cni = Required(root, "CniPlugin", path);
            var nodes = (root["Nodes"] as JsonArray ?? throw new InvalidDataException($"'{path}' has no Nodes."))
                .OfType<JsonObject>()
                .Select(n => new LabNode(
                    Required(n, "Name", path),
                    Required(n, "Namespace", path),
                    Required(n, "UnderlayAddress", path),
                    Required(n, "PodCidr", path),
                    (int?)n["InitPid"] ?? throw new InvalidDataException($"'{path}': node {(string?)n["Name"]} has no InitPid (a lab without pod support).")))
                .ToArray();
            return new LabDescription(prefix, cni, (int?)root["OwnerPid"] ?? 0, nodes);
        }

        private static string Required(JsonNode node, string name, string path) =>
            (string?)node[name] is string value && value.Length > 0 ? value : throw new InvalidDataException($"'{path}' has no {name}.");
    }

    /// <summary>One lab node: its network namespace, address, podCIDR (10.42.N.0/24) and the host PID of its PID 1.</summary>
    public sealed record LabNode(string Name, string Namespace, string HostIp, string PodCidr, int InitPid)
    {
        /// <summary>The first three octets of the podCIDR ("10.42.2"): pods the kubelet makes take .10 to .254.</summary>
        public string PodPrefix => PodCidr.Split('/')[0].Substring(0, PodCidr.Split('/')[0].LastIndexOf('.'));
    }
}
