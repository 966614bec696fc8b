using K3sNet.ClusterProbes;

namespace K3sNet.Tests.ClusterProbes
{
    public sealed class ProbeImageTests
    {
        [Fact]
        public void The_nodes_own_pause_image_is_chosen_by_its_tag_form()
        {
            string[] images =
            {
                "docker.io/rancher/mirrored-coredns-coredns:1.12.3",
                "docker.io/rancher/mirrored-pause@sha256:74c4244427b7312c5b901fe0f67cbc53683d06f4f24c6faee65d4182bf0fa893",
                "docker.io/rancher/mirrored-pause:3.10.2",
                "docker.io/rancher/klipper-lb:v0.4.13",
            };
            Assert.Equal("docker.io/rancher/mirrored-pause:3.10.2", ProbeImage.Choose(null, images));
        }

        [Fact]
        public void The_upstream_pause_image_serves_when_k3s_s_mirror_is_not_there()
        {
            Assert.Equal("registry.k8s.io/pause:3.9", ProbeImage.Choose(null, new[] { "registry.k8s.io/pause:3.9", "docker.io/library/nginx:1.27" }));
        }

        [Fact]
        public void A_digest_alone_is_used_when_the_node_lists_no_tag()
        {
            string digest = "docker.io/rancher/mirrored-pause@sha256:74c4244427b7312c5b901fe0f67cbc53683d06f4f24c6faee65d4182bf0fa893";
            Assert.Equal(digest, ProbeImage.Choose(null, new[] { digest }));
        }

        [Fact]
        public void The_requested_image_wins_and_none_is_invented()
        {
            Assert.Equal("example.com/tools:1", ProbeImage.Choose("example.com/tools:1", new[] { "docker.io/rancher/mirrored-pause:3.6" }));
            Assert.Null(ProbeImage.Choose(null, new[] { "docker.io/rancher/mirrored-coredns-coredns:1.12.3", "docker.io/library/pause-helper:1" }));
        }
    }
}
