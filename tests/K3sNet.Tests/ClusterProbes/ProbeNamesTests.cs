using System.Linq;
using System.Text.RegularExpressions;
using K3sNet.ClusterProbes;

namespace K3sNet.Tests.ClusterProbes
{
    public sealed class ProbeNamesTests
    {
        private static readonly Regex Dns1123Label = new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

        [Fact]
        public void A_node_pod_is_named_after_its_kind_and_node()
        {
            Assert.Equal("k3snet-node-k3s-agent-2", ProbeNames.Pod(ProbePodKind.Node, "k3s-agent-2"));
            Assert.Equal("k3snet-pod-k3s-agent-2", ProbeNames.Pod(ProbePodKind.PodNetwork, "k3s-agent-2"));
        }

        [Fact]
        public void A_long_dotted_node_name_becomes_a_valid_label_that_keeps_its_start()
        {
            string node = "ip-10-0-101-123.us-east-1.compute.internal.this-cluster.example-organisation.example";
            string pod = ProbeNames.Pod(ProbePodKind.Node, node);
            Assert.True(pod.Length <= 63, pod);
            Assert.Matches(Dns1123Label, pod);
            Assert.StartsWith("k3snet-node-ip-10-0-101-123-us-east-1", pod);
        }

        [Fact]
        public void Names_that_would_read_the_same_stay_apart()
        {
            string[] nodes = { "node.a", "node-a", "node_a" };
            string[] labels = nodes.Select(ProbeNames.Label).ToArray();
            Assert.Equal("node-a", labels[1]);
            Assert.Equal(3, labels.Distinct().Count());
            Assert.All(labels, l => Assert.Matches(Dns1123Label, l));
        }

        [Fact]
        public void Long_names_that_share_their_first_63_characters_stay_apart()
        {
            string stem = new string('n', 70);
            Assert.NotEqual(ProbeNames.Label(stem + "1"), ProbeNames.Label(stem + "2"));
        }

        [Fact]
        public void Run_ids_are_8_hex_digits_and_make_a_recognisable_namespace()
        {
            string id = ProbeNames.NewRunId();
            Assert.Matches("^[0-9a-f]{8}$", id);
            Assert.True(ProbeNames.IsRunNamespace(ProbeNames.Namespace(id)));
            Assert.False(ProbeNames.IsRunNamespace("k3snet-system"));
            Assert.NotEqual(id, ProbeNames.NewRunId());
        }
    }
}
