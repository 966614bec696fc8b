using System;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Cloud
{
    /// <summary>The Kubernetes API of one cluster, as K3sNet reads it.</summary>
    internal interface IClusterSource : IDisposable
    {
        /// <summary>The API server the kubeconfig points at.</summary>
        Uri Server { get; }

        /// <summary>The kubeconfig context in use.</summary>
        string Context { get; }

        /// <summary>The API server's version (<c>GET /version</c>), e.g. <c>v1.31.5+k3s1</c>.</summary>
        Task<string> GetServerVersionAsync(CancellationToken cancellationToken);
    }
}
