using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The kubelets of all nodes at once: one <see cref="PodWorker"/> per pod created through the API, which schedules
    /// it (unless nodeName pins it), runs it through the container runtime, reports its status, and stops it when it
    /// is deleted or the emulator stops. Pods from the fixture files have no worker: they are only served.
    /// </summary>
    internal sealed class KubeletLoop
    {
        private readonly Cluster _cluster;
        private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);

        public KubeletLoop(Cluster cluster) => _cluster = cluster;

        public void Track(JsonObject pod)
        {
            var worker = new PodWorker(_cluster, pod);
            _workers[worker.Uid] = worker;
            worker.Start(() => _workers.TryRemove(worker.Uid, out _));
        }

        /// <summary>Asks the pod's worker to stop it and remove it; false when the pod has no worker.</summary>
        public bool RequestDeletion(string uid, out Task gone)
        {
            if (_workers.TryGetValue(uid, out PodWorker? worker))
            {
                worker.RequestDeletion();
                gone = worker.Completion;
                return true;
            }

            gone = Task.CompletedTask;
            return false;
        }

        /// <summary>Pods bound to the node that still run or wait to (what the scheduler spreads by).</summary>
        public int PodsOn(string node) => _cluster.Store.List("pods").Count(p =>
            (string?)p["spec"]?["nodeName"] == node && (string?)p["status"]?["phase"] is not ("Succeeded" or "Failed"));

        /// <summary>Stops every pod through the runtime (the emulator is stopping); waits until each worker is done.</summary>
        public async Task StopAllAsync()
        {
            _cluster.Stop();
            await Task.WhenAll(_workers.Values.Select(w => w.Completion)).ConfigureAwait(false);
        }
    }
}
