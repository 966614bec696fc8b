using System;
using System.Collections.Generic;
using System.Globalization;
using K3sNet.Cloud;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// Who made a probe namespace, written into its annotations so that a namespace a killed run left behind says
    /// whose it was and since when: user@host, process id, start time, purpose. Never a token or the kubeconfig.
    /// </summary>
    internal sealed record ProbeRunOwner(string User, string Host, int ProcessId, DateTimeOffset Started, string? Purpose)
    {
        public static ProbeRunOwner Current(string? purpose, DateTimeOffset now) =>
            new(Environment.UserName, Environment.MachineName, Environment.ProcessId, now, purpose);

        public IReadOnlyDictionary<string, string> Annotations()
        {
            var annotations = new Dictionary<string, string>
            {
                [ProbeLabels.OwnerAnnotation] = $"{User}@{Host}",
                [ProbeLabels.PidAnnotation] = ProcessId.ToString(CultureInfo.InvariantCulture),
                [ProbeLabels.StartedAnnotation] = Started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrWhiteSpace(Purpose))
            {
                annotations[ProbeLabels.PurposeAnnotation] = Purpose;
            }

            return annotations;
        }

        /// <summary>
        /// The warning for a namespace of K3sNet's that is not this run's: its name, owner, age, and how to remove it.
        /// </summary>
        public static string DescribeLeftover(ProbeNamespaceInfo leftover, DateTimeOffset now)
        {
            string state = leftover.Terminating ? " It is being deleted already." : " If that run has ended, Remove-K3sNetProbe removes it.";
            return $"The namespace {leftover.Name} of another K3sNet run is still in the cluster: {Describe(leftover, now)}.{state}";
        }

        /// <summary>Whose a namespace is and how old: "made by ops@laptop (pid 4242), from 'Test-K3sVxlan -AllNodes', 1 h 30 min old".</summary>
        public static string Describe(ProbeNamespaceInfo probeNamespace, DateTimeOffset now)
        {
            IReadOnlyDictionary<string, string> annotations = probeNamespace.Annotations;
            annotations.TryGetValue(ProbeLabels.OwnerAnnotation, out string? owner);
            annotations.TryGetValue(ProbeLabels.PidAnnotation, out string? pid);
            annotations.TryGetValue(ProbeLabels.PurposeAnnotation, out string? purpose);
            DateTimeOffset? started = probeNamespace.Created;
            if (annotations.TryGetValue(ProbeLabels.StartedAnnotation, out string? startedText)
                && DateTimeOffset.TryParse(startedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
            {
                started = parsed;
            }

            string who = owner is null ? "an unknown owner" : pid is null ? owner : $"{owner} (pid {pid})";
            string age = started is DateTimeOffset since ? $"{ProbeNames.Age(now - since)} old" : "of unknown age";
            string what = purpose is null ? string.Empty : $", from '{purpose}'";
            return $"made by {who}{what}, {age}";
        }
    }
}
