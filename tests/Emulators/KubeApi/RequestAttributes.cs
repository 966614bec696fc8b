using System;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// A request as the API server's authorizer sees it: verb, API group, resource (with its subresource, such as
    /// pods/exec), namespace and name. Null for paths that are not resources (/version, discovery).
    /// </summary>
    internal sealed record RequestAttributes(string Verb, string Group, string Resource, string? Subresource, string? Namespace, string? Name)
    {
        /// <summary>The subresources that connect to a pod: their verb is create whatever the HTTP method (1.31's WebSocket rule).</summary>
        private static readonly string[] ConnectSubresources = { "exec", "attach", "portforward" };

        public string FullResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

        public static RequestAttributes? From(string method, string[] segments, IQueryCollection query)
        {
            string group;
            ReadOnlySpan<string> rest;
            if (segments.Length >= 3 && segments[0] == "api" && segments[1] == "v1")
            {
                group = string.Empty;
                rest = segments.AsSpan(2);
            }
            else if (segments.Length >= 4 && segments[0] == "apis")
            {
                group = segments[1];
                rest = segments.AsSpan(3);
            }
            else
            {
                return null;
            }

            string? ns = null;
            if (rest.Length >= 3 && rest[0] == "namespaces")
            {
                ns = rest[1];
                rest = rest[2..];
            }
            else if (rest.Length is 1 or 2 && rest[0] == "namespaces")
            {
                // A namespace's namespace is itself, as the API server's request info has it.
                ns = rest.Length == 2 ? rest[1] : null;
            }

            string resource = rest[0];
            string? name = rest.Length > 1 ? rest[1] : null;
            string? subresource = rest.Length > 2 ? rest[2] : null;
            bool watch = string.Equals(query["watch"], "true", StringComparison.OrdinalIgnoreCase) || query["watch"] == "1";
            string verb = subresource is not null && Array.IndexOf(ConnectSubresources, subresource) >= 0
                ? "create"
                : method.ToUpperInvariant() switch
                {
                    "GET" or "HEAD" => name is null ? (watch ? "watch" : "list") : "get",
                    "POST" => "create",
                    "PUT" => "update",
                    "PATCH" => "patch",
                    "DELETE" => name is null ? "deletecollection" : "delete",
                    _ => method.ToLowerInvariant(),
                };
            return new RequestAttributes(verb, group, resource, subresource, ns, name);
        }
    }
}
