using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Finds the cluster configuration the way kubectl does, plus the k3s server's own file: -Kubeconfig; else the
    /// files KUBECONFIG lists that exist (merged, first wins); else ~/.kube/config; else /etc/rancher/k3s/k3s.yaml;
    /// else the pod's service account. A file found on the way that is empty (no YAML content) or a directory is
    /// skipped, as kubectl reads an empty file as no configuration; the one -Kubeconfig names is an error instead.
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
                if (environment.DirectoryExists(path))
                {
                    throw new ClusterConfigurationException(
                        ClusterConfigurationProblem.IsDirectory, $"The kubeconfig '{path}' is a directory, not a file.", Array.Empty<string>()) { Path = path };
                }

                if (!environment.FileExists(path))
                {
                    throw new KubeconfigNotFoundException(new[] { path }, explicitPathMissing: true);
                }

                if (environment.IsEmptyFile(path))
                {
                    throw EmptyFile(path);
                }

                return new KubeconfigLocation(KubeconfigSource.Parameter, new[] { path }, new[] { path });
            }

            var tried = new List<string>();
            var skipped = new List<string>();
            string? variable = environment.GetVariable("KUBECONFIG");
            if (!string.IsNullOrWhiteSpace(variable))
            {
                // kubectl skips empty entries and files that do not exist; duplicates count once.
                List<string> listed = variable.Split(environment.PathListSeparator)
                    .Where(p => p.Trim().Length > 0)
                    .Select(p => Path.GetFullPath(ExpandHome(p.Trim(), environment), environment.CurrentDirectory))
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                var existing = new List<string>();
                foreach (string path in listed)
                {
                    if (Usable(path, environment, tried, skipped, KubeconfigVariablePrefix))
                    {
                        existing.Add(path);
                    }
                }

                if (existing.Count > 0)
                {
                    return new KubeconfigLocation(KubeconfigSource.KubeconfigVariable, existing, tried) { Skipped = skipped };
                }
            }

            if (environment.HomeDirectory is string home)
            {
                string userConfig = Path.Combine(home, ".kube", "config");
                if (Usable(userConfig, environment, tried, skipped))
                {
                    return new KubeconfigLocation(KubeconfigSource.UserHome, new[] { userConfig }, tried) { Skipped = skipped };
                }
            }

            if (Usable(K3sServerKubeconfig, environment, tried, skipped))
            {
                return new KubeconfigLocation(KubeconfigSource.K3sServer, new[] { K3sServerKubeconfig }, tried) { Skipped = skipped };
            }

            tried.Add("in-cluster: KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and " + ServiceAccountToken);
            if (!string.IsNullOrEmpty(environment.GetVariable("KUBERNETES_SERVICE_HOST"))
                && !string.IsNullOrEmpty(environment.GetVariable("KUBERNETES_SERVICE_PORT"))
                && environment.FileExists(ServiceAccountToken))
            {
                return new KubeconfigLocation(KubeconfigSource.InCluster, Array.Empty<string>(), tried) { Skipped = skipped };
            }

            throw new KubeconfigNotFoundException(tried, explicitPathMissing: false);
        }

        /// <summary>The error for an empty kubeconfig that must be read: the one -Kubeconfig names.</summary>
        public static ClusterConfigurationException EmptyFile(string path) => new(
            ClusterConfigurationProblem.Empty,
            $"The kubeconfig '{path}' is empty: it holds no YAML, only whitespace, comments or '---'.",
            Array.Empty<string>())
        {
            Path = path,
        };

        /// <summary>
        /// Whether a file found on the way can be read as a kubeconfig; records it in <paramref name="tried"/> (marked
        /// when it is there but unusable) and, when skipped, why in <paramref name="skipped"/>.
        /// </summary>
        private static bool Usable(string path, IKubeconfigEnvironment environment, List<string> tried, List<string> skipped, string prefix = "")
        {
            string? unusable = environment.DirectoryExists(path) ? "a directory"
                : !environment.FileExists(path) ? null
                : environment.IsEmptyFile(path) ? "empty"
                : null;
            tried.Add(prefix + path + (unusable is null ? string.Empty : $" ({unusable})"));
            if (unusable is not null)
            {
                skipped.Add($"{path} is {unusable}");
                return false;
            }

            return environment.FileExists(path);
        }

        private static string ExpandHome(string path, IKubeconfigEnvironment environment) =>
            (path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) && environment.HomeDirectory is string home
                ? Path.Combine(home, path.Length > 2 ? path.Substring(2) : string.Empty)
                : path;
    }
}
