using System;
using System.Net;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// A request to the API server failed. K3sNet.Cloud maps the client library's exceptions to this one, so nothing
    /// that holds the request (and its Authorization header) ever reaches the module root or an ErrorRecord.
    /// </summary>
    internal sealed class ClusterRequestException : Exception
    {
        public ClusterRequestException(ClusterRequestFailure failure, ClusterRequest request, string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
            : base(message, innerException)
        {
            Failure = failure;
            Request = request;
            StatusCode = statusCode;
        }

        public ClusterRequestFailure Failure { get; }

        public ClusterRequest Request { get; }

        public HttpStatusCode? StatusCode { get; }

        /// <summary>The refused server certificate, for the certificate failures.</summary>
        public ServerCertificateRejection? Certificate { get; init; }
    }

    /// <summary>What went wrong with a request.</summary>
    internal enum ClusterRequestFailure
    {
        /// <summary>No connection: refused, no route, name not resolved, a TLS failure not told apart below.</summary>
        Unreachable,

        /// <summary>The server's certificate does not chain to the kubeconfig's CA.</summary>
        UntrustedCertificate,

        /// <summary>The server's certificate does not name the address used.</summary>
        CertificateNameMismatch,

        /// <summary>The server's certificate is expired or not yet valid.</summary>
        CertificateNotValidNow,

        /// <summary>No answer within the timeout.</summary>
        Timeout,

        /// <summary>401: the credentials were rejected.</summary>
        Unauthorized,

        /// <summary>403: RBAC does not allow the verb on the resource.</summary>
        Forbidden,

        /// <summary>Any other error status.</summary>
        ApiError,
    }

    /// <summary>The request as RBAC sees it: a verb on a resource, cluster-wide or in a namespace, at a server.</summary>
    internal sealed record ClusterRequest(Uri Server, string Verb, string Resource, string? Namespace)
    {
        public override string ToString() =>
            Namespace is null ? $"{Verb} {Resource} at {Server}" : $"{Verb} {Resource} in namespace {Namespace} at {Server}";
    }
}
