using System;
using System.Threading;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>What one exec connection needs that the library does not pass: the caller's token, the timeout, the counter.</summary>
    internal sealed record ExecCall(TimeSpan Timeout, CancellationToken CancellationToken, Action Count);
}
