using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using K3sNet.Cloud;
using K3sNet.ClusterProbes;
using K3sNet.Kubernetes;

namespace K3sNet.Commands
{
    /// <summary>
    /// Removes the namespaces K3sNet's probe runs made (and so their pods): those a killed run left behind. Only
    /// namespaces labelled app.kubernetes.io/managed-by=k3snet are ever deleted.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "K3sNetProbe", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string))]
    public sealed class RemoveK3sNetProbeCommand : K3sNetCmdlet
    {
        private const int RequestTimeoutSeconds = 30;

        private readonly List<string> _names = new();

        /// <summary>The namespaces to remove (wildcards allowed); by default every namespace of K3sNet's.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Namespace { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Kubeconfig { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KubeContextCompleter))]
        public string? Context { get; set; }

        /// <summary>Writes the name of each namespace removed.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (Namespace is not null)
            {
                _names.AddRange(Namespace);
            }
        }

        protected override void EndProcessing()
        {
            using IPodRunner runner = PodRunnerConnection.Connect(this, Kubeconfig, Context, TimeSpan.FromSeconds(RequestTimeoutSeconds));
            try
            {
                IReadOnlyList<ProbeNamespaceInfo> ours = Wait(runner.ListNamespacesAsync(ProbeLabels.ManagedSelector, CancellationToken))
                    .Where(n => n.Labels.TryGetValue(ProbeFleet.ManagedByLabel, out string? by) && by == ProbeFleet.ManagedByValue)
                    .ToList();
                foreach (ProbeNamespaceInfo target in Select(ours))
                {
                    string whose = ProbeRunOwner.Describe(target, DateTimeOffset.UtcNow);
                    if (!ShouldProcess($"{target.Name} ({whose})", "Delete K3sNet's probe namespace and its pods"))
                    {
                        continue;
                    }

                    Wait(runner.DeleteNamespaceAsync(target.Name, CancellationToken));
                    if (PassThru)
                    {
                        WriteObject(target.Name);
                    }
                }
            }
            catch (ClusterRequestException exception)
            {
                ThrowTerminatingError(ClusterErrors.FromProbeRequest(exception, RequestTimeoutSeconds));
            }
        }

        /// <summary>Every namespace of K3sNet's, or those named; a name that matches none of them is an error, and nothing else is touched.</summary>
        private IEnumerable<ProbeNamespaceInfo> Select(IReadOnlyList<ProbeNamespaceInfo> ours)
        {
            if (_names.Count == 0)
            {
                if (ours.Count == 0)
                {
                    WriteVerbose("There is no namespace of K3sNet's in the cluster.");
                }

                return ours;
            }

            var selected = new List<ProbeNamespaceInfo>();
            foreach (string name in _names.Distinct(StringComparer.Ordinal))
            {
                var pattern = new WildcardPattern(name, WildcardOptions.None);
                List<ProbeNamespaceInfo> matches = ours.Where(n => pattern.IsMatch(n.Name)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(ClusterErrors.NotAProbeNamespace(name));
                }

                selected.AddRange(matches.Where(m => !selected.Contains(m)));
            }

            return selected;
        }
    }
}
