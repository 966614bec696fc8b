using K3sNet.Kubernetes;

namespace K3sNet.Cloud
{
    /// <summary>
    /// What K3sNet.Cloud offers the module root. Implemented in K3sNet.Cloud, which alone references KubernetesClient and
    /// AWSSDK.EC2; every type that crosses this boundary is K3sNet's own or the framework's.
    /// </summary>
    internal interface ICloudServices
    {
        /// <summary>A client for the cluster a kubeconfig file describes.</summary>
        IClusterSource ConnectCluster(ClusterConnection connection);

        /// <summary>A client that runs K3sNet's probe pods in the cluster a kubeconfig file describes.</summary>
        IPodRunner ConnectPodRunner(ClusterConnection connection);

        /// <summary>The contexts of the merged kubeconfig files, and its current context (for -Context and its completion).</summary>
        KubeconfigContexts ReadContexts(KubeconfigLocation location);

        /// <summary>A client for the EC2 API of one account and region.</summary>
        ICloudNetwork ConnectCloudNetwork(AwsConnection connection);
    }
}
