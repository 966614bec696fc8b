using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// RBAC on demand: verbs on resources the caller is denied, each answered 403 with the authorizer's message
    /// (<c>pods is forbidden: User "u" cannot create resource "pods" in API group "" in the namespace "ns"</c>). A rule
    /// names a verb (or *) and a resource as RBAC does: <c>pods</c>, <c>pods/exec</c>, <c>daemonsets</c>,
    /// <c>namespaces</c> (an API group may be given as <c>daemonsets.apps</c>).
    /// </summary>
    public sealed class AccessRules
    {
        private readonly ConcurrentDictionary<(string Verb, string Resource), bool> _denied = new();

        public void Forbid(string verb, string resource) => _denied[(verb.Trim().ToLowerInvariant(), resource.Trim())] = true;

        public void Allow(string verb, string resource) => _denied.TryRemove((verb.Trim().ToLowerInvariant(), resource.Trim()), out _);

        public void Clear() => _denied.Clear();

        public IReadOnlyList<string> Denied => _denied.Keys.Select(k => $"{k.Verb}:{k.Resource}").OrderBy(k => k, StringComparer.Ordinal).ToArray();

        /// <summary>Reads <c>verb:resource</c>, as --forbid takes it.</summary>
        public void Forbid(string rule)
        {
            string[] parts = rule.Split(':', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
            {
                throw new ArgumentException($"'{rule}' is not verb:resource (such as create:pods or create:pods/exec).");
            }

            Forbid(parts[0], parts[1]);
        }

        internal ApiError? Check(RequestAttributes request, string user)
        {
            bool denied = _denied.Keys.Any(rule => (rule.Verb == "*" || rule.Verb == request.Verb) && Names(rule.Resource, request));
            if (!denied)
            {
                return null;
            }

            string scope = request.Namespace is null ? "at the cluster scope" : $"in the namespace \"{request.Namespace}\"";
            string subject = request.Name is null || request.Verb == "create" && request.Subresource is null
                ? request.Resource
                : $"{request.Resource} \"{request.Name}\"";
            string qualified = request.Group.Length == 0 ? subject : subject.Replace(request.Resource, $"{request.Resource}.{request.Group}", StringComparison.Ordinal);
            return new ApiError(HttpStatusCode.Forbidden, "Forbidden",
                $"{qualified} is forbidden: User \"{user}\" cannot {request.Verb} resource \"{request.FullResource}\" in API group \"{request.Group}\" {scope}",
                ApiResponses.Details(request.Name, request.Group, request.Resource));
        }

        private static bool Names(string rule, RequestAttributes request)
        {
            string resource = rule;
            int dot = rule.IndexOf('.', StringComparison.Ordinal);
            int slash = rule.IndexOf('/', StringComparison.Ordinal);
            if (dot > 0 && (slash < 0 || dot < slash))
            {
                string group = slash < 0 ? rule[(dot + 1)..] : rule[(dot + 1)..slash];
                resource = rule[..dot] + (slash < 0 ? string.Empty : rule[slash..]);
                if (group != request.Group)
                {
                    return false;
                }
            }

            return resource == "*" || resource == request.FullResource;
        }
    }
}
