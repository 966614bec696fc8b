using System;
using System.Threading;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// What one exec connection needs that the library does not pass: the caller's token, the timeout, the counter, and
    /// the client's certificate check (null: insecure-skip-tls-verify or plain http, where the library's settings stand).
    /// </summary>
    internal sealed record ExecCall(TimeSpan Timeout, CancellationToken CancellationToken, Action Count, ServerCertificateCheck? Certificates);
}
