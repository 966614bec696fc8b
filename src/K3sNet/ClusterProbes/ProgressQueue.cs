using System;
using System.Collections.Concurrent;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// Progress reported from any thread, kept until the cmdlet's pipeline thread (the only one that may write
    /// progress) takes it.
    /// </summary>
    internal sealed class ProgressQueue : IProgress<string>
    {
        private readonly ConcurrentQueue<string> _reports = new();

        public void Report(string value) => _reports.Enqueue(value);

        public bool TryDequeue(out string? report) => _reports.TryDequeue(out report);
    }
}
