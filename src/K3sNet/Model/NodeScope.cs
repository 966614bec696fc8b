namespace K3sNet
{
    /// <summary>The set of nodes a flow leaves from or arrives at, as the k3s inbound-rules table names them.</summary>
    public enum NodeScope
    {
        Servers,
        Agents,
        AllNodes,
    }

    internal static class NodeScopeExtensions
    {
        /// <summary>Whether a node of <paramref name="role"/> belongs to <paramref name="scope"/>.</summary>
        public static bool Includes(this NodeScope scope, K3sRole role) => scope switch
        {
            NodeScope.AllNodes => true,
            NodeScope.Servers => role == K3sRole.Server,
            NodeScope.Agents => role == K3sRole.Agent,
            _ => false,
        };
    }
}
