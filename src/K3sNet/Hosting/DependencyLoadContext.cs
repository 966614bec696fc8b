using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace K3sNet.Hosting
{
    /// <summary>
    /// The load context for K3sNet.Cloud and its third-party assemblies (AWSSDK, KubernetesClient, YamlDotNet).
    /// PowerShell loads every module into one default context, where the first module to load a given assembly name wins
    /// and every later one that needs another version fails. This context serves only the files in one folder, so
    /// K3sNet's copies never meet AWS.Tools', powershell-yaml's or PlatyPS's. Everything it does not hold (the framework,
    /// K3sNet.dll itself) falls back to the default context, so K3sNet's public types keep one identity.
    /// </summary>
    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string _directory;

        public DependencyLoadContext(string directory)
            : base("K3sNet.Dependencies", isCollectible: false)
        {
            _directory = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));
        }

        /// <summary>The folder this context serves.</summary>
        public string Directory => _directory;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string? path = PathOf(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        /// <summary>The file in this context's folder for <paramref name="assemblyName"/>, or null when it has none.</summary>
        internal string? PathOf(AssemblyName assemblyName)
        {
            string? name = assemblyName.Name;
            if (string.IsNullOrEmpty(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains(".."))
            {
                return null;
            }

            string path = Path.Combine(_directory, name + ".dll");
            return File.Exists(path) ? path : null;
        }
    }
}
