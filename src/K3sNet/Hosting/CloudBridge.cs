using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using K3sNet.Cloud;

namespace K3sNet.Hosting
{
    /// <summary>
    /// The one way from the module root into K3sNet.Cloud. K3sNet.Cloud references K3sNet (it implements K3sNet's
    /// interfaces and returns K3sNet's types), so K3sNet cannot reference it back at compile time; it loads it by name,
    /// into <see cref="DependencyLoadContext"/>, on first use.
    /// </summary>
    internal static class CloudBridge
    {
        internal const string CloudAssemblyName = "K3sNet.Cloud";
        internal const string ServicesTypeName = "K3sNet.Cloud.CloudServices";
        internal const string DependencyFolderName = "Dependencies";

        private static readonly Lazy<DependencyLoadContext> s_context = new(
            () => new DependencyLoadContext(DependencyDirectory), LazyThreadSafetyMode.ExecutionAndPublication);

        private static readonly Lazy<ICloudServices> s_services = new(CreateServices, LazyThreadSafetyMode.ExecutionAndPublication);

        private static int s_resolverRegistered;

        /// <summary>The folder beside K3sNet.dll that holds K3sNet.Cloud and its third-party assemblies.</summary>
        internal static string DependencyDirectory =>
            Path.Combine(Path.GetDirectoryName(typeof(CloudBridge).Assembly.Location) ?? string.Empty, DependencyFolderName);

        /// <summary>The cloud services, loading K3sNet.Cloud into its own context the first time.</summary>
        internal static ICloudServices Services => s_services.Value;

        /// <summary>
        /// Sends any request of the default context for K3sNet.Cloud to the isolated context, so a second copy can never
        /// load beside the first. Idempotent: a module re-import calls it again.
        /// </summary>
        internal static void RegisterResolver()
        {
            if (Interlocked.Exchange(ref s_resolverRegistered, 1) == 0)
            {
                AssemblyLoadContext.Default.Resolving += ResolveCloudAssembly;
            }
        }

        private static Assembly? ResolveCloudAssembly(AssemblyLoadContext context, AssemblyName name) =>
            string.Equals(name.Name, CloudAssemblyName, StringComparison.Ordinal)
                ? s_context.Value.LoadFromAssemblyName(name)
                : null;

        private static ICloudServices CreateServices()
        {
            DependencyLoadContext context = s_context.Value;
            if (context.PathOf(new AssemblyName(CloudAssemblyName)) is null)
            {
                throw new FileNotFoundException(
                    $"K3sNet cannot find {CloudAssemblyName}.dll in '{context.Directory}'. The module is incomplete: "
                    + "reinstall it, or rebuild it with 'build.ps1 Build'.",
                    Path.Combine(context.Directory, CloudAssemblyName + ".dll"));
            }

            Assembly cloud = context.LoadFromAssemblyName(new AssemblyName(CloudAssemblyName));
            Type type = cloud.GetType(ServicesTypeName, throwOnError: true)!;
            return (ICloudServices)Activator.CreateInstance(type)!;
        }
    }
}
