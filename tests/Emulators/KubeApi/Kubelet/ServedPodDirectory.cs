using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The pods the emulator serves from its files, as the kubelet endpoints look them up: the seam until the API side's
    /// pod store (which creates pods and runs them) takes its place. These pods are never started, so exec into them
    /// answers as into a container that is not running, and their log as not started.
    /// </summary>
    public sealed class ServedPodDirectory : IPodDirectory
    {
        private readonly IReadOnlyList<JsonObject> _pods;

        public ServedPodDirectory(IReadOnlyList<JsonObject> pods)
        {
            _pods = pods ?? throw new ArgumentNullException(nameof(pods));
        }

        public PodLaunch? Find(string ns, string name, out string phase)
        {
            JsonObject? pod = _pods.FirstOrDefault(p => (string?)p["metadata"]?["namespace"] == ns && (string?)p["metadata"]?["name"] == name);
            phase = (string?)pod?["status"]?["phase"] ?? "Pending";
            return pod is null ? null : PodSpecReader.ToLaunch(pod);
        }
    }
}
