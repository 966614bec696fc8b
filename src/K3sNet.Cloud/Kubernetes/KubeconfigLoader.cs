using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// Reads and merges kubeconfig files the way kubectl merges KUBECONFIG: for each cluster, user and context name the
    /// first file that defines it wins, and so does the first file that sets current-context. KubernetesClient's own
    /// BuildConfigFromConfigFile reads one file and ignores KUBECONFIG, so K3sNet merges before building.
    /// </summary>
    internal static class KubeconfigLoader
    {
        public static K8SConfiguration Load(IReadOnlyList<string> files)
        {
            var configurations = new List<K8SConfiguration>(files.Count);
            foreach (string file in files)
            {
                configurations.Add(LoadOne(file));
            }

            return Merge(configurations);
        }

        public static KubeconfigContexts ReadContexts(KubeconfigLocation location)
        {
            if (location.Source == KubeconfigSource.InCluster)
            {
                return new KubeconfigContexts(null, Array.Empty<string>());
            }

            K8SConfiguration merged = Load(location.Files);
            return new KubeconfigContexts(
                string.IsNullOrEmpty(merged.CurrentContext) ? null : merged.CurrentContext,
                (merged.Contexts ?? Enumerable.Empty<Context>()).Select(c => c.Name).ToArray());
        }

        /// <summary>A client configuration for <paramref name="context"/>, or the current context when it is null.</summary>
        public static KubernetesClientConfiguration Build(KubeconfigLocation location, string? context)
        {
            if (location.Source == KubeconfigSource.InCluster)
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }

            K8SConfiguration merged = Load(location.Files);
            string[] known = (merged.Contexts ?? Enumerable.Empty<Context>()).Select(c => c.Name).ToArray();
            string? chosen = string.IsNullOrEmpty(context) ? merged.CurrentContext : context;
            if (string.IsNullOrEmpty(chosen))
            {
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.NoCurrentContext,
                    $"The kubeconfig from {location.Describe()} sets no current-context.",
                    known);
            }

            // KubernetesClient looks contexts up ignoring case; so does this check, so both agree on what exists.
            if (!known.Contains(chosen, StringComparer.OrdinalIgnoreCase))
            {
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.ContextNotFound,
                    $"The kubeconfig from {location.Describe()} has no context '{chosen}'.",
                    known);
            }

            CheckReferences(merged, chosen, location, known);
            try
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, chosen);
            }
            catch (KubeConfigException exception)
            {
                // Its messages name contexts, users and clusters, never credentials; some print the context object
                // itself, which reads as its .NET type name, so that is replaced by the context's name.
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Invalid,
                    $"The kubeconfig from {location.Describe()} cannot be used for context '{chosen}': "
                    + exception.Message.Replace(typeof(Context).FullName!, chosen, StringComparison.Ordinal),
                    known);
            }
            catch (Exception exception) when (exception is FormatException or System.Security.Cryptography.CryptographicException)
            {
                // certificate-authority-data or a client certificate or key that is not base64 PEM; never quoted.
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Invalid,
                    $"The kubeconfig from {location.Describe()} holds a certificate or key for context '{chosen}' that cannot be read "
                    + "(certificate-authority-data, client-certificate-data or client-key-data must be base64 of PEM text).",
                    known);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A certificate or key file the context names is missing or unreadable; the message names only its path.
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Invalid,
                    $"The kubeconfig from {location.Describe()} names a file for context '{chosen}' that cannot be read: {exception.Message}",
                    known);
            }
        }

        /// <summary>
        /// The cluster and user the context names must be in the kubeconfig, and the cluster must have a server: checked
        /// here so the message names them; KubernetesClient's own messages name the context by its .NET type.
        /// </summary>
        private static void CheckReferences(K8SConfiguration merged, string chosen, KubeconfigLocation location, IReadOnlyList<string> known)
        {
            Context context = (merged.Contexts ?? Enumerable.Empty<Context>()).First(c => string.Equals(c.Name, chosen, StringComparison.OrdinalIgnoreCase));
            string? clusterName = context.ContextDetails?.Cluster;
            string? userName = context.ContextDetails?.User;
            string[] clusters = (merged.Clusters ?? Enumerable.Empty<Cluster>()).Select(c => c.Name).ToArray();
            string[] users = (merged.Users ?? Enumerable.Empty<User>()).Select(u => u.Name).ToArray();
            string? problem = null;
            if (string.IsNullOrEmpty(clusterName))
            {
                problem = $"context '{context.Name}' names no cluster.";
            }
            else if (!clusters.Contains(clusterName, StringComparer.OrdinalIgnoreCase))
            {
                problem = $"context '{context.Name}' names cluster '{clusterName}', which the kubeconfig does not define (clusters: {List(clusters)}).";
            }
            else if (string.IsNullOrWhiteSpace((merged.Clusters ?? Enumerable.Empty<Cluster>())
                .First(c => string.Equals(c.Name, clusterName, StringComparison.OrdinalIgnoreCase)).ClusterEndpoint?.Server))
            {
                problem = $"cluster '{clusterName}' of context '{context.Name}' has no server: address.";
            }
            else if (!string.IsNullOrWhiteSpace(userName) && !users.Contains(userName, StringComparer.OrdinalIgnoreCase))
            {
                problem = $"context '{context.Name}' names user '{userName}', which the kubeconfig does not define (users: {List(users)}).";
            }

            if (problem is not null)
            {
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Invalid, $"The kubeconfig from {location.Describe()} cannot be used: {problem}", known);
            }
        }

        private static string List(IReadOnlyCollection<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

        private static K8SConfiguration LoadOne(string file)
        {
            try
            {
                // KubernetesClient fails on a file with no YAML content with a raw NullReferenceException, so such a
                // file is told apart first (the locator skips found ones; this is the one -Kubeconfig or a race gives).
                if (KubeconfigText.IsEmpty(File.ReadAllText(file)))
                {
                    throw KubeconfigLocator.EmptyFile(file);
                }

                K8SConfiguration? configuration = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: true);
                return configuration is null ? throw KubeconfigLocator.EmptyFile(file) : WithAbsolutePaths(configuration, file);
            }
            catch (UnauthorizedAccessException)
            {
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Unreadable,
                    $"The kubeconfig '{file}' exists but this user may not read it.",
                    Array.Empty<string>()) { Path = file };
            }
            catch (IOException exception)
            {
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Unreadable, $"The kubeconfig '{file}' cannot be read: {exception.Message}", Array.Empty<string>()) { Path = file };
            }
            catch (Exception exception) when (exception is YamlDotNet.Core.YamlException or KubeConfigException or InvalidOperationException)
            {
                // A YAML error names the line and column only; the file's text (tokens, keys) is never quoted.
                throw new ClusterConfigurationException(
                    ClusterConfigurationProblem.Invalid,
                    $"The kubeconfig '{file}' is not valid YAML kubeconfig: {FirstLine(exception.Message)}",
                    Array.Empty<string>()) { Path = file };
            }
        }

        /// <summary>
        /// Makes the certificate and key paths of <paramref name="file"/> absolute, starting at its own folder, as kubectl
        /// reads them. KubernetesClient resolves relative paths against the configuration's one FileName, which after a
        /// merge is the first file's, so a second file's "certificate-authority: ca.crt" would be looked for beside the first.
        /// </summary>
        private static K8SConfiguration WithAbsolutePaths(K8SConfiguration configuration, string file)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? string.Empty;
            string? Absolute(string? path) => string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(path, folder);

            foreach (ClusterEndpoint endpoint in (configuration.Clusters ?? Enumerable.Empty<Cluster>()).Select(c => c.ClusterEndpoint).OfType<ClusterEndpoint>())
            {
                endpoint.CertificateAuthority = Absolute(endpoint.CertificateAuthority);
            }

            foreach (UserCredentials credentials in (configuration.Users ?? Enumerable.Empty<User>()).Select(u => u.UserCredentials).OfType<UserCredentials>())
            {
                credentials.ClientCertificate = Absolute(credentials.ClientCertificate);
                credentials.ClientKey = Absolute(credentials.ClientKey);
            }

            return configuration;
        }

        private static K8SConfiguration Merge(IReadOnlyList<K8SConfiguration> configurations)
        {
            if (configurations.Count == 1)
            {
                return configurations[0];
            }

            return new K8SConfiguration
            {
                ApiVersion = "v1",
                Kind = "Config",
                FileName = configurations[0].FileName,
                CurrentContext = configurations.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
                Clusters = FirstByName(configurations.SelectMany(c => c.Clusters ?? Enumerable.Empty<Cluster>()), c => c.Name),
                Users = FirstByName(configurations.SelectMany(c => c.Users ?? Enumerable.Empty<User>()), u => u.Name),
                Contexts = FirstByName(configurations.SelectMany(c => c.Contexts ?? Enumerable.Empty<Context>()), c => c.Name),
            };
        }

        private static List<T> FirstByName<T>(IEnumerable<T> items, Func<T, string> name)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            return items.Where(i => seen.Add(name(i) ?? string.Empty)).ToList();
        }

        private static string FirstLine(string text) => text.Split('\n')[0].Trim();
    }
}
