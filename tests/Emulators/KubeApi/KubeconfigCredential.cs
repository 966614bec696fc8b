namespace K3sNet.Emulators.KubeApi
{
    /// <summary>What the user of an emulator's kubeconfig carries.</summary>
    public enum KubeconfigCredential
    {
        /// <summary>client-certificate-data and client-key-data (EC), as k3s.yaml's admin.</summary>
        ClientCertificate,

        /// <summary>The emulator's bearer token, as a service account's kubeconfig.</summary>
        Token,
    }
}
