using K3sNet.Kubernetes;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// Where k3s keeps its own static userland on a node (busybox, ip, nft, ethtool...): <c>&lt;data-dir&gt;/data/current/bin</c>,
    /// with the data directory from the node's <c>k3s.io/node-args</c> (<c>--data-dir</c> or <c>-d</c>), else k3s's default.
    /// </summary>
    internal static class ProbeToolDirectory
    {
        public const string DefaultDataDirectory = "/var/lib/rancher/k3s";

        public static string For(NodeFacts? facts)
        {
            string? nodeArgs = null;
            facts?.Annotations.TryGetValue(NodeAnnotations.K3sNodeArgs, out nodeArgs);
            string? dataDirectory = NodeArgs.Parse(nodeArgs)?.ValueOf("--data-dir", "-d");
            if (string.IsNullOrWhiteSpace(dataDirectory) || !dataDirectory.StartsWith('/'))
            {
                // A relative data-dir is relative to k3s's working directory, which the API does not tell: use the default.
                dataDirectory = DefaultDataDirectory;
            }

            return dataDirectory.TrimEnd('/') + "/data/current/bin";
        }
    }
}
