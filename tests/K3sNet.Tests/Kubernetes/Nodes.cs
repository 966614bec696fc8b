using System.Collections.Generic;
using System.Linq;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>Node facts as k3s writes them (reference §3), for tests to vary one thing at a time.</summary>
    internal static class Nodes
    {
        public static NodeFacts VxlanAgent(string name = "agent", string ip = "10.0.1.21", string podCidr = "10.42.1.0/24") => new()
        {
            Name = name,
            Annotations = new Dictionary<string, string>
            {
                ["flannel.alpha.coreos.com/backend-type"] = "vxlan",
                ["flannel.alpha.coreos.com/backend-data"] = "{\"VNI\":1,\"VtepMAC\":\"D2:19:CE:BC:8B:20\"}",
                ["flannel.alpha.coreos.com/kube-subnet-manager"] = "true",
                ["flannel.alpha.coreos.com/public-ip"] = ip,
                ["k3s.io/internal-ip"] = ip,
                ["k3s.io/node-args"] = "[\"agent\",\"--server\",\"https://10.0.1.10:6443\",\"--token\",\"********\"]",
            },
            Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["kubernetes.io/hostname"] = name },
            Addresses = new[] { new NodeAddressFact("InternalIP", ip), new NodeAddressFact("Hostname", name) },
            Conditions = new[] { new NodeConditionFact("Ready", "True", "KubeletReady", "kubelet is posting ready status") },
            PodCidrs = new[] { podCidr },
            ProviderId = "k3s://" + name,
            KubeletVersion = "v1.31.5+k3s1",
            KernelVersion = "6.8.0-54-generic",
            OsImage = "Ubuntu 24.04.2 LTS",
            OperatingSystem = "linux",
        };

        public static NodeFacts Server(string name = "server", string ip = "10.0.1.10", string podCidr = "10.42.0.0/24", params string[] args)
        {
            NodeFacts agent = VxlanAgent(name, ip, podCidr);
            return agent with
            {
                Labels = new Dictionary<string, string>(agent.Labels)
                {
                    ["node-role.kubernetes.io/control-plane"] = "true",
                    ["node-role.kubernetes.io/master"] = "true",
                },
                Annotations = With(agent, "k3s.io/node-args", System.Text.Json.JsonSerializer.Serialize(new[] { "server" }.Concat(args).ToArray())),
            };
        }

        public static IReadOnlyDictionary<string, string> With(NodeFacts facts, string key, string? value)
        {
            var copy = new Dictionary<string, string>(facts.Annotations);
            if (value is null)
            {
                copy.Remove(key);
            }
            else
            {
                copy[key] = value;
            }

            return copy;
        }
    }
}
