namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// Two pod directories as one: the API's pods first, then the kubelet's static pods (which a kubelet runs from its
    /// own files, not from the API), so exec and log reach both.
    /// </summary>
    public sealed class LayeredPodDirectory : IPodDirectory
    {
        private readonly IPodDirectory _first;
        private readonly IPodDirectory _second;

        public LayeredPodDirectory(IPodDirectory first, IPodDirectory second)
        {
            _first = first;
            _second = second;
        }

        public PodLaunch? Find(string ns, string name, out string phase) =>
            _first.Find(ns, name, out phase) ?? _second.Find(ns, name, out phase);
    }
}
