using System;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using k8s.Autorest;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// Runs one API call and turns the client library's failures into <see cref="ClusterRequestException"/>. The
    /// library's HttpOperationException carries the request with its Authorization header, so it never travels on, not
    /// even as an inner exception.
    /// </summary>
    internal static class ClusterRequests
    {
        /// <param name="certificates">The check on the server's certificate, which tells a refused certificate by its cause.</param>
        public static async Task<T> SendAsync<T>(
            ClusterRequest request, TimeSpan timeout, Func<Task<T>> call, CancellationToken cancellationToken, ServerCertificateCheck? certificates = null)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                // HttpClient reports its own timeout as a cancellation the caller did not ask for.
                throw new ClusterRequestException(
                    ClusterRequestFailure.Timeout,
                    request,
                    string.Create(CultureInfo.InvariantCulture, $"The API server {request.Server} did not answer within {timeout.TotalSeconds:0.###} s ({request.Verb} {request.Resource})."));
            }
            catch (HttpOperationException exception)
            {
                throw FromStatus(request, exception.Response.StatusCode, exception.Response.Content);
            }
            catch (HttpRequestException) when (certificates?.TakeRejection() is ServerCertificateRejection rejection)
            {
                throw new ClusterRequestException(
                    rejection.Fault switch
                    {
                        ServerCertificateFault.NameMismatch => ClusterRequestFailure.CertificateNameMismatch,
                        ServerCertificateFault.NotValidNow => ClusterRequestFailure.CertificateNotValidNow,
                        _ => ClusterRequestFailure.UntrustedCertificate,
                    },
                    request,
                    rejection.Describe(request.Server))
                {
                    Certificate = rejection,
                };
            }
            catch (HttpRequestException exception)
            {
                throw new ClusterRequestException(
                    ClusterRequestFailure.Unreachable,
                    request,
                    $"Cannot reach the API server {request.Server}: {exception.Message}",
                    innerException: new HttpRequestException(exception.Message));
            }
            catch (JsonException exception)
            {
                throw new ClusterRequestException(
                    ClusterRequestFailure.ApiError,
                    request,
                    $"The API server {request.Server} answered {request.Verb} {request.Resource} with something that is not a Kubernetes object: {exception.Message}");
            }
        }

        /// <summary>The failure for an error status and its body (a Kubernetes Status, whose message is kept: RBAC's and Pod Security's words).</summary>
        public static ClusterRequestException FromStatus(ClusterRequest request, HttpStatusCode status, string? content)
        {
            string? message = StatusMessage(content);
            string code = ((int)status).ToString(CultureInfo.InvariantCulture);
            ClusterRequestFailure failure = status switch
            {
                HttpStatusCode.Unauthorized => ClusterRequestFailure.Unauthorized,
                HttpStatusCode.Forbidden => ClusterRequestFailure.Forbidden,
                _ => ClusterRequestFailure.ApiError,
            };
            // A 5xx with no body comes from a failing server or a proxy in front of it; the status is all there is to say.
            string text = message is not null
                ? $"The API server {request.Server} answered {code} {status} to {request.Verb} {request.Resource}: {message}"
                : string.IsNullOrWhiteSpace(content)
                    ? $"The API server {request.Server} answered HTTP {code} ({status}) to {request.Verb} {request.Resource}, with no body to say why."
                    : $"The API server {request.Server} answered HTTP {code} ({status}) to {request.Verb} {request.Resource}, with a body that is not a Kubernetes Status.";
            return new ClusterRequestException(failure, request, text, status);
        }

        /// <summary>The message of a Kubernetes Status object, or null when the body is not one.</summary>
        public static string? StatusMessage(string? content)
        {
            if (string.IsNullOrWhiteSpace(content))
            {
                return null;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(content);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("message", out JsonElement message)
                    && message.ValueKind == JsonValueKind.String
                    ? message.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
