using System.Collections.Generic;

namespace K3sNet.Kubernetes
{
    /// <summary>The context names a kubeconfig defines, in file order, and the one it marks current.</summary>
    internal sealed record KubeconfigContexts(string? CurrentContext, IReadOnlyList<string> Names);
}
