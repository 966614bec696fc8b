using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud
{
    /// <summary>
    /// The Kubernetes API of one cluster, as K3sNet reads it. Failures surface as <see cref="ClusterRequestException"/>;
    /// cancellation through the token as <see cref="OperationCanceledException"/>.
    /// </summary>
    internal interface IClusterSource : IDisposable
    {
        /// <summary>The API server the kubeconfig points at.</summary>
        Uri Server { get; }

        /// <summary>The kubeconfig context in use.</summary>
        string Context { get; }

        /// <summary>Every node (<c>GET /api/v1/nodes</c>), following <c>continue</c> tokens page by page.</summary>
        Task<IReadOnlyList<NodeFacts>> ListNodesAsync(string? labelSelector, CancellationToken cancellationToken);

        /// <summary>The CoreDNS pods: kube-system pods labelled <c>k8s-app=kube-dns</c>.</summary>
        Task<IReadOnlyList<ClusterDnsPod>> ListClusterDnsPodsAsync(CancellationToken cancellationToken);
    }
}
