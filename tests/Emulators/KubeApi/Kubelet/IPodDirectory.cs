namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The pods the API side stores, as the exec and log endpoints look them up: the API side implements it, the
    /// kubelet side (exec, log) reads it.
    /// </summary>
    public interface IPodDirectory
    {
        /// <summary>
        /// The pod <paramref name="name"/> in <paramref name="ns"/>: its launch and its phase (Pending, Running,
        /// Succeeded, Failed), or null when no such pod exists.
        /// </summary>
        PodLaunch? Find(string ns, string name, out string phase);
    }
}
