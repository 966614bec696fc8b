using System;
using System.Collections.Generic;

namespace K3sNet.Kubernetes
{
    /// <summary>No cluster configuration anywhere K3sNet looked (or the one -Kubeconfig named does not exist).</summary>
    internal sealed class KubeconfigNotFoundException : Exception
    {
        public KubeconfigNotFoundException(IReadOnlyList<string> tried, bool explicitPathMissing)
            : base(explicitPathMissing
                ? $"The kubeconfig file '{tried[0]}' does not exist."
                : "No Kubernetes configuration found. Looked at: " + string.Join("; ", tried) + ".")
        {
            Tried = tried;
            ExplicitPathMissing = explicitPathMissing;
        }

        public IReadOnlyList<string> Tried { get; }

        public bool ExplicitPathMissing { get; }
    }
}
