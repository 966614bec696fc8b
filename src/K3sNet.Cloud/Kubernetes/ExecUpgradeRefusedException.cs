using System;
using System.Net;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>The API server (or, before 1.30, the kubelet behind it) answered the exec upgrade with an error status.</summary>
    internal sealed class ExecUpgradeRefusedException : Exception
    {
        public ExecUpgradeRefusedException(HttpStatusCode status, string? body)
            : base($"The exec upgrade was answered {(int)status} {status}.")
        {
            Status = status;
            Body = body;
        }

        public HttpStatusCode Status { get; }

        public string? Body { get; }
    }
}
