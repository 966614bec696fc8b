using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Finds the cluster configuration the way kubectl does, plus the k3s server's own file: -Kubeconfig; else the
    /// files KUBECONFIG lists that exist (merged, first wins); else ~/.kube/config; else /etc/rancher/k3s/k3s.yaml;
    /// else the pod's service account.
    /// </summary>
    internal static class KubeconfigLocator
    {
        public const string K3sServerKubeconfig = "/etc/rancher/k3s/k3s.yaml";

        /// <summary>How <see cref="KubeconfigLocation.Tried"/> marks the files KUBECONFIG listed.</summary>
        public const string KubeconfigVariablePrefix = "KUBECONFIG: ";
        public const string ServiceAccountToken = "/var/run/secrets/kubernetes.io/serviceaccount/token";

        public static KubeconfigLocation Locate(string? explicitPath, IKubeconfigEnvironment environment)
        {
            ArgumentNullException.ThrowIfNull(environment);
            if (!string.IsNullOrEmpty(explicitPath))
            {
                string path = Path.GetFullPath(explicitPath, environment.CurrentDirectory);
                if (!environment.FileExists(path))
                {
                    throw new KubeconfigNotFoundException(new[] { path }, explicitPathMissing: true);
                }

                return new KubeconfigLocation(KubeconfigSource.Parameter, new[] { path }, new[] { path });
            }

            var tried = new List<string>();
            string? variable = environment.GetVariable("KUBECONFIG");
            if (!string.IsNullOrWhiteSpace(variable))
            {
                // kubectl skips empty entries and files that do not exist; duplicates count once.
                List<string> listed = variable.Split(environment.PathListSeparator)
                    .Where(p => p.Trim().Length > 0)
                    .Select(p => Path.GetFullPath(ExpandHome(p.Trim(), environment), environment.CurrentDirectory))
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                tried.AddRange(listed.Select(p => KubeconfigVariablePrefix + p));
                List<string> existing = listed.Where(environment.FileExists).ToList();
                if (existing.Count > 0)
                {
                    return new KubeconfigLocation(KubeconfigSource.KubeconfigVariable, existing, tried);
                }
            }

            if (environment.HomeDirectory is string home)
            {
                string userConfig = Path.Combine(home, ".kube", "config");
                tried.Add(userConfig);
                if (environment.FileExists(userConfig))
                {
                    return new KubeconfigLocation(KubeconfigSource.UserHome, new[] { userConfig }, tried);
                }
            }

            tried.Add(K3sServerKubeconfig);
            if (environment.FileExists(K3sServerKubeconfig))
            {
                return new KubeconfigLocation(KubeconfigSource.K3sServer, new[] { K3sServerKubeconfig }, tried);
            }

            tried.Add("in-cluster: KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and " + ServiceAccountToken);
            if (!string.IsNullOrEmpty(environment.GetVariable("KUBERNETES_SERVICE_HOST"))
                && !string.IsNullOrEmpty(environment.GetVariable("KUBERNETES_SERVICE_PORT"))
                && environment.FileExists(ServiceAccountToken))
            {
                return new KubeconfigLocation(KubeconfigSource.InCluster, Array.Empty<string>(), tried);
            }

            throw new KubeconfigNotFoundException(tried, explicitPathMissing: false);
        }

        private static string ExpandHome(string path, IKubeconfigEnvironment environment) =>
            (path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) && environment.HomeDirectory is string home
                ? Path.Combine(home, path.Length > 2 ? path.Substring(2) : string.Empty)
                : path;
    }
}
