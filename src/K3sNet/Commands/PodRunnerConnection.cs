using System;
using System.Management.Automation;
using K3sNet.Cloud;
using K3sNet.Hosting;
using K3sNet.Kubernetes;

namespace K3sNet.Commands
{
    /// <summary>
    /// Connects a cmdlet that runs probe pods to its cluster, the way Get-K3sNode finds its kubeconfig (-Kubeconfig,
    /// KUBECONFIG, ~/.kube/config, k3s.yaml), turning what goes wrong into the same ErrorRecords.
    /// </summary>
    internal static class PodRunnerConnection
    {
        public static IPodRunner Connect(PSCmdlet cmdlet, string? kubeconfig, string? context, TimeSpan requestTimeout)
        {
            KubeconfigLocation location;
            try
            {
                string currentDirectory = cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                string? explicitPath = kubeconfig is null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(kubeconfig);
                location = KubeconfigLocator.Locate(explicitPath, new SystemKubeconfigEnvironment(currentDirectory));
            }
            catch (KubeconfigNotFoundException exception)
            {
                cmdlet.ThrowTerminatingError(ClusterErrors.FromMissingConfiguration(exception));
                throw;
            }
            catch (ClusterConfigurationException exception)
            {
                cmdlet.ThrowTerminatingError(ClusterErrors.FromConfiguration(exception, context));
                throw;
            }

            foreach (string passedOver in location.Skipped)
            {
                cmdlet.WriteVerbose($"Skipped {passedOver}; looking further, as kubectl does.");
            }

            if (location.KubeconfigVariableSkipped() is string skipped)
            {
                cmdlet.WriteWarning(skipped);
            }

            try
            {
                IPodRunner runner = CloudBridge.Services.ConnectPodRunner(new ClusterConnection(location, context, requestTimeout));
                cmdlet.WriteVerbose($"Cluster {runner.Server} (context '{runner.Context}', from {location.Describe()}).");
                return runner;
            }
            catch (ClusterConfigurationException exception)
            {
                cmdlet.ThrowTerminatingError(ClusterErrors.FromConfiguration(exception, context));
                throw;
            }
        }
    }
}
