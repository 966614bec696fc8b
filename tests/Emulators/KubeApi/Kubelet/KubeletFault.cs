namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>How a node's kubelet answers the API server's exec and log calls until told otherwise.</summary>
    public enum KubeletFault
    {
        /// <summary>Answer normally.</summary>
        None,

        /// <summary>Nothing listens on the node's 10250: the API server answers "error dialing backend: ... connection refused".</summary>
        ExecRefused,

        /// <summary>The node's 10250 never answers (a dropped SYN): the request hangs until the client gives up.</summary>
        ExecHang,
    }
}
