using K3sNet.Cloud.Aws;
using K3sNet.Cloud.Kubernetes;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud
{
    /// <summary>
    /// The entry point the module root creates by name (see K3sNet's CloudBridge) once this assembly is loaded into
    /// K3sNet's isolated context.
    /// </summary>
    internal sealed class CloudServices : ICloudServices
    {
        public IClusterSource ConnectCluster(ClusterConnection connection) => new KubeconfigClusterSource(connection);

        public IPodRunner ConnectPodRunner(ClusterConnection connection) => new KubernetesPodRunner(connection);

        public KubeconfigContexts ReadContexts(KubeconfigLocation location) => KubeconfigLoader.ReadContexts(location);

        public ICloudNetwork ConnectCloudNetwork(AwsConnection connection) => new Ec2CloudNetwork(connection);
    }
}
