using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using K3sNet.Hosting;
using K3sNet.Kubernetes;

namespace K3sNet.Commands
{
    /// <summary>Completes -Context from the contexts of the kubeconfig the command would use (-Kubeconfig if typed).</summary>
    internal sealed class KubeContextCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            try
            {
                string? explicitPath = fakeBoundParameters["Kubeconfig"] as string;
                KubeconfigLocation location = KubeconfigLocator.Locate(explicitPath, new SystemKubeconfigEnvironment(CurrentDirectory()));
                return CloudBridge.Services.ReadContexts(location).Names
                    .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
                    .ToArray();
            }
            catch (Exception exception) when (exception is KubeconfigNotFoundException or ClusterConfigurationException or IOException or UnauthorizedAccessException)
            {
                // Completion never throws at the user: no config, no suggestions.
                return Array.Empty<CompletionResult>();
            }
        }

        /// <summary>The shell's folder, where a relative -Kubeconfig starts (PowerShell does not move the process's).</summary>
        /// <remarks>A completer runs inside the completing pipeline, so the location comes from a nested Get-Location.</remarks>
        private static string CurrentDirectory()
        {
            try
            {
                using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
                PathInfo? location = shell.AddCommand("Microsoft.PowerShell.Management\\Get-Location")
                    .AddParameter("PSProvider", "FileSystem")
                    .Invoke<PathInfo>()
                    .FirstOrDefault();
                return location?.ProviderPath ?? Directory.GetCurrentDirectory();
            }
            catch (RuntimeException)
            {
                return Directory.GetCurrentDirectory();
            }
            catch (InvalidOperationException)
            {
                return Directory.GetCurrentDirectory();
            }
        }

        private static string Quote(string name) =>
            name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', '@', ',', '&', '|' }) >= 0
                ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'"
                : name;
    }
}
