using System;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud
{
    /// <summary>
    /// Which cluster to talk to: the configuration already located (kubeconfig files to merge, or in-cluster), a context
    /// in it (null: its current context), how long to wait for each request, and how many nodes to ask for per page.
    /// </summary>
    internal sealed record ClusterConnection(KubeconfigLocation Location, string? Context, TimeSpan Timeout)
    {
        public const int DefaultPageSize = 250;

        public int PageSize { get; init; } = DefaultPageSize;
    }
}
