using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using K3sNet.Cloud;
using K3sNet.Hosting;
using K3sNet.Kubernetes;

namespace K3sNet.Commands
{
    /// <summary>Reads a k3s cluster's nodes from the Kubernetes API: addresses, roles, and what flannel published.</summary>
    [Cmdlet(VerbsCommon.Get, "K3sNode")]
    [OutputType(typeof(K3sNode))]
    public sealed class GetK3sNodeCommand : K3sNetCmdlet
    {
        private const int DefaultTimeoutSeconds = 10;

        /// <summary>Node names; wildcards allowed. Without it, every node.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeContextCompleter))]
        public string? Context { get; set; }

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

        protected override void ProcessRecord()
        {
            KubeconfigLocation location = LocateConfiguration();
            foreach (string passedOver in location.Skipped)
            {
                WriteVerbose($"Skipped {passedOver}; looking further, as kubectl does.");
            }

            if (location.KubeconfigVariableSkipped() is string skipped)
            {
                WriteWarning(skipped);
            }

            var connection = new ClusterConnection(location, Context, TimeSpan.FromSeconds(TimeoutSeconds));
            using IClusterSource cluster = Connect(connection);
            WriteVerbose(string.Create(CultureInfo.InvariantCulture,
                $"Cluster {cluster.Server} (context '{cluster.Context}', from {location.Describe()}); timeout {TimeoutSeconds} s per request."));

            var progress = new ProgressRecord(1, "Get-K3sNode", $"Listing nodes from {cluster.Server}");
            WriteProgress(progress);
            IReadOnlyList<NodeFacts> facts;
            try
            {
                facts = Wait(cluster.ListNodesAsync(labelSelector: null, CancellationToken));
            }
            catch (ClusterRequestException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromRequest(exception, TimeoutSeconds));
                return;
            }

            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{facts.Count} node(s); reading CoreDNS pods in kube-system."));
            progress.StatusDescription = "Finding the nodes that run CoreDNS";
            WriteProgress(progress);
            IReadOnlyList<ClusterDnsPod> dnsPods = ReadClusterDnsPods(cluster);
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);

            IReadOnlyList<K3sNode> nodes = ClusterNodes.Parse(facts, dnsPods);
            foreach (K3sNode node in Select(nodes))
            {
                WriteObject(node);
            }
        }

        private KubeconfigLocation LocateConfiguration()
        {
            string currentDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            string? explicitPath = Kubeconfig is null ? null : GetUnresolvedProviderPathFromPSPath(Kubeconfig);
            try
            {
                return KubeconfigLocator.Locate(explicitPath, new SystemKubeconfigEnvironment(currentDirectory));
            }
            catch (KubeconfigNotFoundException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromMissingConfiguration(exception));
                throw;
            }
            catch (ClusterConfigurationException exception)
            {
                // -Kubeconfig names a directory or an empty file.
                ThrowTerminatingError(ClusterErrors.FromConfiguration(exception, Context));
                throw;
            }
        }

        private IClusterSource Connect(ClusterConnection connection)
        {
            try
            {
                return CloudBridge.Services.ConnectCluster(connection);
            }
            catch (ClusterConfigurationException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromConfiguration(exception, Context));
                throw;
            }
        }

        /// <summary>
        /// CoreDNS placement only explains a DNS symptom; a user allowed to list nodes but not kube-system pods still gets
        /// the nodes, with an error that says which permission is missing.
        /// </summary>
        private IReadOnlyList<ClusterDnsPod> ReadClusterDnsPods(IClusterSource cluster)
        {
            try
            {
                return Wait(cluster.ListClusterDnsPodsAsync(CancellationToken));
            }
            catch (ClusterRequestException exception) when (exception.Failure == ClusterRequestFailure.Forbidden)
            {
                WriteError(ClusterErrors.FromRequest(exception, TimeoutSeconds));
                return Array.Empty<ClusterDnsPod>();
            }
            catch (ClusterRequestException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromRequest(exception, TimeoutSeconds));
                throw;
            }
        }

        private IEnumerable<K3sNode> Select(IReadOnlyList<K3sNode> nodes)
        {
            if (Name is null)
            {
                return nodes;
            }

            var patterns = Name.Select(n => (Text: n, Pattern: new WildcardPattern(n, WildcardOptions.IgnoreCase))).ToList();
            List<K3sNode> selected = nodes.Where(node => patterns.Any(p => p.Pattern.IsMatch(node.Name))).ToList();
            foreach (string missing in patterns
                .Where(p => !WildcardPattern.ContainsWildcardCharacters(p.Text) && !nodes.Any(n => p.Pattern.IsMatch(n.Name)))
                .Select(p => p.Text))
            {
                WriteError(K3sNetErrors.Create(
                    "NodeNotFound",
                    ErrorCategory.ObjectNotFound,
                    missing,
                    $"The cluster has no node named '{missing}'.",
                    "Run Get-K3sNode without -Name to list the nodes, or use a wildcard such as 'k3s-agent*'."));
            }

            return selected;
        }
    }
}
