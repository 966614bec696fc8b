using System;

namespace K3sNet.Cloud
{
    /// <summary>Which cluster to talk to: a kubeconfig file already chosen, a context in it, and how long to wait.</summary>
    internal sealed record ClusterConnection(string KubeconfigPath, string? Context, TimeSpan Timeout);
}
