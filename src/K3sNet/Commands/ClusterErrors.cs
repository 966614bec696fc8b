using System.Globalization;
using System.Linq;
using System.Net;
using System.Management.Automation;
using K3sNet.Kubernetes;

namespace K3sNet.Commands
{
    /// <summary>
    /// The ErrorRecords for reaching a cluster: each with a stable id, category, target and what to do. Messages name
    /// files, contexts, servers and RBAC rules, never a credential.
    /// </summary>
    internal static class ClusterErrors
    {
        public static ErrorRecord FromMissingConfiguration(KubeconfigNotFoundException exception)
        {
            if (exception.ExplicitPathMissing)
            {
                return K3sNetErrors.Create(
                    "KubeconfigNotFound",
                    ErrorCategory.ObjectNotFound,
                    exception.Tried[0],
                    exception.Message,
                    "Check the -Kubeconfig path, or omit it to use KUBECONFIG, ~/.kube/config or /etc/rancher/k3s/k3s.yaml.");
            }

            return K3sNetErrors.Create(
                "KubeconfigNotFound",
                ErrorCategory.ObjectNotFound,
                exception.Tried.ToArray(),
                "No Kubernetes configuration found. Looked at, in order:\n  " + string.Join("\n  ", exception.Tried),
                "Pass -Kubeconfig <file>, or set KUBECONFIG. On a k3s server, run as root (k3s writes /etc/rancher/k3s/k3s.yaml, "
                + "mode 600); elsewhere copy that file to ~/.kube/config and set its server: to the server's address.");
        }

        public static ErrorRecord FromConfiguration(ClusterConfigurationException exception, string? context)
        {
            string known = exception.KnownContexts.Count == 0 ? "none" : string.Join(", ", exception.KnownContexts);
            return exception.Problem switch
            {
                ClusterConfigurationProblem.ContextNotFound => K3sNetErrors.Create(
                    "KubeContextNotFound",
                    ErrorCategory.ObjectNotFound,
                    context,
                    $"{exception.Message} Known contexts: {known}.",
                    "Pass one of the known contexts to -Context (Tab completes them), or omit -Context to use the current context."),
                ClusterConfigurationProblem.NoCurrentContext => K3sNetErrors.Create(
                    "KubeContextNotSet",
                    ErrorCategory.InvalidData,
                    null,
                    $"{exception.Message} Known contexts: {known}.",
                    "Pass -Context, or set one with 'kubectl config use-context <name>'."),
                ClusterConfigurationProblem.Empty => K3sNetErrors.Create(
                    "KubeconfigInvalid",
                    ErrorCategory.InvalidData,
                    exception.Path,
                    exception.Message,
                    "Write the cluster's kubeconfig into it (on a k3s server it is /etc/rancher/k3s/k3s.yaml), or pass another file with "
                    + "-Kubeconfig. An empty file that K3sNet finds by itself (KUBECONFIG, ~/.kube/config) is skipped, as kubectl skips it."),
                ClusterConfigurationProblem.IsDirectory => K3sNetErrors.Create(
                    "KubeconfigIsDirectory",
                    ErrorCategory.InvalidArgument,
                    exception.Path,
                    exception.Message,
                    "Pass the kubeconfig file itself, such as -Kubeconfig ~/.kube/config, not the folder that holds it."),
                ClusterConfigurationProblem.Unreadable => K3sNetErrors.Create(
                    "KubeconfigUnreadable",
                    ErrorCategory.PermissionDenied,
                    null,
                    exception.Message,
                    "Run as a user who may read it (k3s.yaml is root's, mode 600), or copy it somewhere readable and pass -Kubeconfig."),
                _ => K3sNetErrors.Create(
                    "KubeconfigInvalid",
                    ErrorCategory.InvalidData,
                    exception.Path,
                    exception.Message,
                    "Check the file with 'kubectl config view', or pass another one with -Kubeconfig."),
            };
        }

        public static ErrorRecord FromRequest(ClusterRequestException exception, int timeoutSeconds)
        {
            ClusterRequest request = exception.Request;
            string endpoint = request.Server.ToString();
            return exception.Failure switch
            {
                ClusterRequestFailure.Unreachable => K3sNetErrors.Create(
                    "KubeApiUnreachable",
                    ErrorCategory.ConnectionError,
                    endpoint,
                    string.Create(CultureInfo.InvariantCulture, $"{exception.Message} (timeout {timeoutSeconds} s)."),
                    "Check that the API server is running and that this machine reaches it on its port (6443 for k3s); "
                    + "a k3s.yaml copied from a server still says https://127.0.0.1:6443 until you change server:."),
                ClusterRequestFailure.UntrustedCertificate => K3sNetErrors.Create(
                    "KubeApiCertificateUntrusted",
                    ErrorCategory.SecurityError,
                    endpoint,
                    exception.Message,
                    "Use this cluster's CA: copy certificate-authority-data from the server's /etc/rancher/k3s/k3s.yaml into the cluster "
                    + "entry of your kubeconfig (k3s keeps it in /var/lib/rancher/k3s/server/tls/server-ca.crt). A k3s server that was "
                    + "reinstalled has a new CA: copy its k3s.yaml again. Check also that server: points at the cluster you mean."),
                ClusterRequestFailure.CertificateNameMismatch => K3sNetErrors.Create(
                    "KubeApiCertificateNameMismatch",
                    ErrorCategory.SecurityError,
                    endpoint,
                    exception.Message,
                    $"Add the address to the server's certificate: on the k3s server, start k3s with '--tls-san {SanOf(exception)}' (or "
                    + $"'tls-san: [\"{SanOf(exception)}\"]' in /etc/rancher/k3s/config.yaml) and restart it (systemctl restart k3s); k3s then "
                    + "issues a certificate that names it. Or set server: in the kubeconfig to an address the certificate names."),
                ClusterRequestFailure.CertificateNotValidNow => K3sNetErrors.Create(
                    "KubeApiCertificateNotValidNow",
                    ErrorCategory.SecurityError,
                    endpoint,
                    exception.Message,
                    "Check this machine's clock. k3s renews its certificates when it starts within 90 days of their expiry: restart k3s "
                    + "on the server (systemctl restart k3s), or rotate them with 'k3s certificate rotate'."),
                ClusterRequestFailure.Timeout => K3sNetErrors.Create(
                    "KubeApiTimeout",
                    ErrorCategory.OperationTimeout,
                    endpoint,
                    exception.Message,
                    "Check that the API server is healthy and reachable, or allow longer with -TimeoutSeconds."),
                ClusterRequestFailure.Unauthorized => K3sNetErrors.Create(
                    "KubeUnauthorized",
                    ErrorCategory.AuthenticationError,
                    endpoint,
                    $"The API server {endpoint} rejected the credentials of the kubeconfig (401 Unauthorized).",
                    "The token or client certificate is wrong or expired: get a fresh kubeconfig (on a k3s server, "
                    + "/etc/rancher/k3s/k3s.yaml) or choose another context with -Context."),
                ClusterRequestFailure.Forbidden => K3sNetErrors.Create(
                    "KubeForbidden",
                    ErrorCategory.PermissionDenied,
                    request.Namespace is null ? request.Resource : $"{request.Namespace}/{request.Resource}",
                    $"{exception.Message} K3sNet needs to {request.Verb} {request.Resource}"
                    + (request.Namespace is null ? " cluster-wide." : $" in namespace {request.Namespace}."),
                    RbacAdvice(request)),
                _ => K3sNetErrors.Create(
                    "KubeApiError",
                    ErrorCategory.InvalidResult,
                    endpoint,
                    exception.Message,
                    exception.StatusCode is HttpStatusCode status && (int)status >= 500
                        ? $"The API server failed ({(int)status}): check its health with 'kubectl get --raw /readyz?verbose' and, on a k3s server, "
                          + "its log ('journalctl -u k3s'); if a load balancer or proxy stands in front of it, check that too. Then retry."
                        : "Check the API server's health (kubectl get --raw /readyz) and retry."),
            };
        }

        /// <summary>
        /// A request of a probe run (Test-K3sVxlan -AllNodes, Test-K3sPodNetwork, Remove-K3sNetProbe). A 403 names the verb and
        /// resource and advises a ClusterRole, since the namespaces are made per run and a Role in one would not outlive it; a Pod
        /// Security refusal says which level the probe pods need, and why.
        /// </summary>
        public static ErrorRecord FromProbeRequest(ClusterRequestException exception, int timeoutSeconds)
        {
            ClusterRequest request = exception.Request;
            if (IsPodSecurityRefusal(exception))
            {
                return K3sNetErrors.Create(
                    "ProbePodSecurityRefused",
                    ErrorCategory.PermissionDenied,
                    request.Namespace is null ? request.Resource : $"{request.Namespace}/{request.Resource}",
                    $"{exception.Message.TrimEnd('.')}. K3sNet's probe pods need the Pod Security level 'privileged' "
                    + "(pod-security.kubernetes.io/enforce=privileged), which K3sNet sets on the namespace it makes for each run. Every probe "
                    + "pod mounts k3s's tool directory read-only (hostPath: its busybox runs the probes, so nothing is pulled); Test-K3sVxlan "
                    + "-AllNodes reads the node's own network state (flannel.1, its fdb and neighbour entries, routes, nftables, ethtool), so "
                    + "its pods also use hostNetwork, hostPID and privileged; Test-K3sPodNetwork's pods add NET_RAW for ping. Nothing was left behind.",
                    "Let namespaces labelled app.kubernetes.io/managed-by=k3snet run privileged pods: allow the label "
                    + "pod-security.kubernetes.io/enforce=privileged on them, and exempt them from any admission policy (Kyverno, Gatekeeper) "
                    + "that refuses hostNetwork, hostPID or privileged pods.");
            }

            if (exception.Failure != ClusterRequestFailure.Forbidden)
            {
                return FromRequest(exception, timeoutSeconds);
            }

            return K3sNetErrors.Create(
                "KubeForbidden",
                ErrorCategory.PermissionDenied,
                request.Namespace is null ? request.Resource : $"{request.Namespace}/{request.Resource}",
                $"{exception.Message.TrimEnd('.')}. K3sNet needs to {request.Verb} {request.Resource}"
                + (request.Namespace is null ? " cluster-wide." : $" in its probe namespace {request.Namespace}."),
                $"Grant a ClusterRole with the rule {{apiGroups: [\"\"], resources: [\"{request.Resource}\"], verbs: [\"{request.Verb}\"]}} "
                + "(K3sNet makes a new namespace for each run, so a Role in one namespace does not help). The whole role the probes need, in the "
                + $"core API group: {ProbeClusterRole}; Get-Help Test-K3sVxlan -Full shows it as YAML under NOTES.");
        }

        /// <summary>The minimal ClusterRole of the probe runs (core API group), rule by rule.</summary>
        public const string ProbeClusterRole =
            "nodes: get, list; services: get; namespaces: create, list, delete; pods: create, get, list, watch, delete; pods/exec: create";

        /// <summary>Pod Security admission refused a pod: a 403 whose message names the violated policy.</summary>
        public static bool IsPodSecurityRefusal(ClusterRequestException exception) =>
            exception.Failure.ToString() == "PodSecurityRefused"
            || (exception.Failure == ClusterRequestFailure.Forbidden && exception.Message.Contains("violates PodSecurity", System.StringComparison.Ordinal));

        /// <summary>Remove-K3sNetProbe was given a namespace K3sNet did not make (no managed-by label), or one that does not exist.</summary>
        public static ErrorRecord NotAProbeNamespace(string name) => K3sNetErrors.Create(
            "NotAProbeNamespace",
            ErrorCategory.InvalidArgument,
            name,
            $"'{name}' is not a namespace of K3sNet's: no namespace labelled app.kubernetes.io/managed-by=k3snet has that name. "
            + "K3sNet removes only the namespaces it made; it did not touch this one.",
            "Run Remove-K3sNetProbe -WhatIf to list K3sNet's namespaces, or Remove-K3sNetProbe without -Namespace to remove them all.");

        /// <summary>The address --tls-san must add: the one the kubeconfig's server: uses.</summary>
        private static string SanOf(ClusterRequestException exception) => exception.Certificate?.Address ?? exception.Request.Server.Host;

        /// <summary>The RBAC rule that grants the request, and the kubectl commands that create it.</summary>
        private static string RbacAdvice(ClusterRequest request) => request.Namespace is null
            ? $"Grant a ClusterRole with the rule {{apiGroups: [\"\"], resources: [\"{request.Resource}\"], verbs: [\"{request.Verb}\"]}}, e.g. "
              + $"'kubectl create clusterrole k3snet-reader --verb={request.Verb} --resource={request.Resource}' and "
              + "'kubectl create clusterrolebinding k3snet-reader --clusterrole=k3snet-reader --user=<user>'."
            : $"Grant a Role in {request.Namespace} with the rule {{apiGroups: [\"\"], resources: [\"{request.Resource}\"], verbs: [\"{request.Verb}\"]}}, e.g. "
              + $"'kubectl -n {request.Namespace} create role k3snet-reader --verb={request.Verb} --resource={request.Resource}' and "
              + $"'kubectl -n {request.Namespace} create rolebinding k3snet-reader --role=k3snet-reader --user=<user>'.";
    }
}
