using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The pulls the kubelets would make: none for an image the node already holds (its status.images, by any of its
    /// names) under imagePullPolicy IfNotPresent or Never; one for an image it lacks, or for any image under Always.
    /// Nothing is fetched (images never are); a pulled image counts as held on that node from then on. Tests read
    /// <see cref="Pulled"/> to tell a probe that ran from what every k3s node carries from one that needed a registry.
    /// </summary>
    internal sealed class ImagePulls
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _held = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<ImagePull> _pulled = new();

        public ImagePulls(IEnumerable<JsonObject> nodes)
        {
            foreach (JsonObject node in nodes)
            {
                var names = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
                foreach (JsonObject image in (node["status"]?["images"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                {
                    foreach (string name in (image["names"] as JsonArray ?? new JsonArray()).Select(n => (string?)n).OfType<string>())
                    {
                        names[name] = true;
                    }
                }

                _held[(string?)node["metadata"]?["name"] ?? string.Empty] = names;
            }
        }

        /// <summary>Every pull so far, in order.</summary>
        public IReadOnlyList<ImagePull> Pulled => _pulled.ToArray();

        /// <summary>What the kubelet does with a container's image before it creates the container; true when it pulled it.</summary>
        public bool Prepare(string node, string image, string? pullPolicy)
        {
            ConcurrentDictionary<string, bool> held = _held.GetOrAdd(node, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
            string full = ImageFaults.FullReference(image);
            bool present = held.ContainsKey(image) || held.ContainsKey(full);
            if (pullPolicy == "Never" || (present && pullPolicy != "Always"))
            {
                return false;
            }

            held[full] = true;
            _pulled.Enqueue(new ImagePull(node, full));
            return true;
        }
    }
}
