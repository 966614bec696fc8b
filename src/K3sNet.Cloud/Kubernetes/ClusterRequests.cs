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
        public static async Task<T> SendAsync<T>(ClusterRequest request, TimeSpan timeout, Func<Task<T>> call, CancellationToken cancellationToken)
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

        private static ClusterRequestException FromStatus(ClusterRequest request, HttpStatusCode status, string? content)
        {
            string? message = StatusMessage(content);
            string code = ((int)status).ToString(CultureInfo.InvariantCulture);
            ClusterRequestFailure failure = status switch
            {
                HttpStatusCode.Unauthorized => ClusterRequestFailure.Unauthorized,
                HttpStatusCode.Forbidden => ClusterRequestFailure.Forbidden,
                _ => ClusterRequestFailure.ApiError,
            };
            string text = message is null
                ? $"The API server {request.Server} answered {code} {status} to {request.Verb} {request.Resource}."
                : $"The API server {request.Server} answered {code} {status} to {request.Verb} {request.Resource}: {message}";
            return new ClusterRequestException(failure, request, text, status);
        }

        /// <summary>The message of a Kubernetes Status object, or null when the body is not one.</summary>
        private static string? StatusMessage(string? content)
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
