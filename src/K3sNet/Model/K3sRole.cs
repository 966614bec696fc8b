namespace K3sNet
{
    /// <summary>The role a k3s node runs in.</summary>
    public enum K3sRole
    {
        /// <summary>Runs the control plane (k3s server).</summary>
        Server,

        /// <summary>Runs workloads only (k3s agent).</summary>
        Agent,
    }
}
