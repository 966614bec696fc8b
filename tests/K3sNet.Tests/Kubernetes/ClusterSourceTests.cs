using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Cloud.Kubernetes;
using K3sNet.Emulators.KubeApi;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>The real KubernetesClient, through K3sNet.Cloud, against the loopback emulator serving the fixture cluster.</summary>
    public sealed class ClusterSourceTests : IAsyncLifetime
    {
        private readonly EmulatorCluster _cluster = new();

        public Task InitializeAsync() => _cluster.InitializeAsync();

        public Task DisposeAsync() => _cluster.DisposeAsync();

        private KubeApiEmulator Emulator => _cluster.Emulator;

        [Fact]
        public async Task Reads_the_fixture_cluster_into_k3s_nodes_with_every_field_the_design_names()
        {
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            IReadOnlyList<K3sNode> nodes = ClusterNodes.Parse(
                await source.ListNodesAsync(null, CancellationToken.None),
                await source.ListClusterDnsPodsAsync(CancellationToken.None));

            Assert.Equal(
                new[] { "k3s-server-1", "k3s-agent-1", "k3s-agent-2", "k3s-edge-1", "k3s-legacy-1", "k3s-gw-1", "k3s-agent-3" },
                nodes.Select(n => n.Name));
            K3sNode server = nodes[0];
            Assert.Equal(new[] { "control-plane", "etcd", "master" }, server.Roles);
            Assert.True(server.IsServer && server.EmbeddedEtcd && server.EmbeddedRegistry && server.HostsClusterDns && server.Ready);
            Assert.Equal(("10.0.1.10", "10.0.1.10", "d2:19:ce:bc:8b:20", 1), (server.InternalIP, server.FlannelPublicIP, server.VtepMac, server.Vni));
            Assert.Equal(("10.42.0.0/24", "10.42.0.0"), (server.PodCidr, server.VtepAddress));
            Assert.Equal(("i-0a1b2c3d4e5f60001", "ap-northeast-2a"), (server.InstanceId, server.AvailabilityZone));
            Assert.Equal(("v1.31.5+k3s1", "6.8.0-1021-aws", "Ubuntu 24.04.2 LTS"), (server.K3sVersion, server.KernelVersion, server.OSImage));
            Assert.Empty(server.Problems);

            Assert.All(nodes.Skip(1), n => Assert.False(n.IsServer || n.HostsClusterDns));
            Assert.Equal(2, nodes[2].Problems.Length);
            Assert.Equal(("198.51.100.40", "i-0a1b2c3d4e5f60004"), (nodes[3].ExternalIP, nodes[3].InstanceId));
            Assert.Empty(nodes[3].Problems);
            Assert.Null(nodes[4].Vni);
            Assert.Equal((FlannelBackend?)FlannelBackend.HostGw, nodes[5].FlannelBackend);
            Assert.Equal("fd07:b51a:cc66::2", nodes[5].InternalIPv6);
            Assert.False(nodes[6].Ready);
            Assert.All(Emulator.Requests, r => Assert.Equal("CN=system:admin, O=system:masters", r.AuthenticatedAs));
        }

        [Fact]
        public void The_kubeconfig_is_shaped_as_k3s_yaml_with_an_ecdsa_client_certificate_and_an_ec_key()
        {
            string text = File.ReadAllText(_cluster.KubeconfigPath);
            string Data(string field) => Encoding.ASCII.GetString(Convert.FromBase64String(
                text.Split('\n').Single(l => l.TrimStart().StartsWith(field + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim()));

            Assert.StartsWith("https://127.0.0.1:", Emulator.Url.ToString(), StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", Data("certificate-authority-data"), StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", Data("client-key-data"), StringComparison.Ordinal);
            Assert.DoesNotContain("token:", text, StringComparison.Ordinal);
            using X509Certificate2 client = X509Certificate2.CreateFromPem(Data("client-certificate-data"));
            Assert.Equal("CN=system:admin, O=system:masters", client.Subject);
            using System.Security.Cryptography.ECDsa? key = client.GetECDsaPublicKey();
            Assert.Equal("1.2.840.10045.3.1.7", key!.ExportParameters(false).Curve.Oid.Value); // P-256, as k3s's
        }

        [Fact]
        public async Task A_request_without_a_client_certificate_or_token_is_unauthorized_as_k3s_answers_it()
        {
            // A context with no user: the client sends neither a certificate nor a token.
            File.WriteAllText(_cluster.KubeconfigPath, string.Join('\n', File.ReadAllLines(_cluster.KubeconfigPath)
                .Where(l => l != "    user: k3snet-emulator")));
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Unauthorized, error.Failure);
            Assert.Null(Assert.Single(Emulator.Requests).AuthenticatedAs);
        }

        [Fact]
        public async Task A_client_certificate_another_clusters_ca_signed_is_unauthorized()
        {
            using ClusterCertificates other = ClusterCertificates.Create(new[] { "localhost" });
            File.WriteAllText(_cluster.KubeconfigPath, File.ReadAllText(_cluster.KubeconfigPath)
                .Replace(ClusterCertificates.KubeconfigData(Emulator.Certificates.AdminCertificateChainPem()), ClusterCertificates.KubeconfigData(other.AdminCertificateChainPem()), StringComparison.Ordinal)
                .Replace(ClusterCertificates.KubeconfigData(Emulator.Certificates.AdminKeyPem), ClusterCertificates.KubeconfigData(other.AdminKeyPem), StringComparison.Ordinal));
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Unauthorized, error.Failure);
            Assert.DoesNotContain(other.AdminKeyPem.Split('\n')[1], error.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_server_certificate_the_kubeconfigs_ca_did_not_sign_is_named_untrusted_not_unreachable()
        {
            using ClusterCertificates other = ClusterCertificates.Create(new[] { "localhost" });
            File.WriteAllText(_cluster.KubeconfigPath, File.ReadAllText(_cluster.KubeconfigPath).Replace(
                ClusterCertificates.KubeconfigData(Emulator.Certificates.ServerCa.ExportCertificatePem() + "\n"),
                ClusterCertificates.KubeconfigData(other.ServerCa.ExportCertificatePem() + "\n"),
                StringComparison.Ordinal));
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.UntrustedCertificate, error.Failure);
            Assert.Contains("is not trusted by the kubeconfig's CA (" + other.ServerCa.Subject + ")", error.Message, StringComparison.Ordinal);
            Assert.Contains("issued by " + Emulator.Certificates.ServerCa.Subject, error.Message, StringComparison.Ordinal);
            Assert.Empty(Emulator.Requests);
        }

        [Fact]
        public async Task The_library_alone_accepts_a_certificate_that_does_not_name_the_address_so_k3snet_checks_the_name()
        {
            // Why ServerCertificateCheck exists: KubernetesClient 21 on its own reads the cluster through an address the
            // certificate does not name, where kubectl refuses. If a later version checks names, this starts failing
            // and the check may be dropped.
            await WithClusterAsync(new EmulatorCluster { AlsoListenOn = new[] { IPAddress.Parse("127.0.0.2") } }, async cluster =>
            {
                PointAt(cluster, cluster.Emulator.AlsoUrls[0]);
                k8s.KubernetesClientConfiguration configuration = KubeconfigLoader.Build(cluster.Connection().Location, null);
                using k8s.IKubernetes library = new k8s.Kubernetes(configuration);

                Assert.Equal("v1.31.5+k3s1", (await k8s.VersionOperationsExtensions.GetCodeAsync(library.Version)).GitVersion);
            });
        }

        [Fact]
        public async Task An_address_the_certificate_does_not_name_is_a_name_mismatch_listing_the_names_offered()
        {
            await WithClusterAsync(new EmulatorCluster { AlsoListenOn = new[] { IPAddress.Parse("127.0.0.2") } }, async cluster =>
            {
                PointAt(cluster, cluster.Emulator.AlsoUrls[0]);
                using var source = new KubeconfigClusterSource(cluster.Connection());

                var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

                Assert.Equal(ClusterRequestFailure.CertificateNameMismatch, error.Failure);
                Assert.Equal("127.0.0.2", error.Certificate!.Address);
                Assert.Contains("does not name the address used, 127.0.0.2: it names kubernetes, ", error.Message, StringComparison.Ordinal);
                Assert.Contains("localhost, 127.0.0.1, ::1", error.Message, StringComparison.Ordinal);
                Assert.Contains("--tls-san", error.Message, StringComparison.Ordinal);
                Assert.Empty(cluster.Emulator.Requests);
            });
        }

        [Fact]
        public async Task Without_a_ca_in_the_kubeconfig_k3ss_own_ca_is_untrusted_and_the_message_says_none_was_given()
        {
            File.WriteAllText(_cluster.KubeconfigPath, string.Join('\n', File.ReadAllLines(_cluster.KubeconfigPath)
                .Where(l => !l.TrimStart().StartsWith("certificate-authority-data:", StringComparison.Ordinal))));
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.UntrustedCertificate, error.Failure);
            Assert.Contains("the kubeconfig names none (certificate-authority-data)", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Insecure_skip_tls_verify_is_honoured_as_kubectl_honours_it_even_for_an_unnamed_address()
        {
            await WithClusterAsync(new EmulatorCluster { AlsoListenOn = new[] { IPAddress.Parse("127.0.0.2") } }, async cluster =>
            {
                PointAt(cluster, cluster.Emulator.AlsoUrls[0]);
                File.WriteAllText(cluster.KubeconfigPath, string.Join('\n', File.ReadAllLines(cluster.KubeconfigPath)
                    .Select(l => l.TrimStart().StartsWith("certificate-authority-data:", StringComparison.Ordinal) ? "    insecure-skip-tls-verify: true" : l)));
                using var source = new KubeconfigClusterSource(cluster.Connection());

                Assert.Equal(7, (await source.ListNodesAsync(null, CancellationToken.None)).Count);
            });
        }

        [Fact]
        public async Task With_the_address_in_tls_san_the_same_address_works()
        {
            await WithClusterAsync(new EmulatorCluster { AlsoListenOn = new[] { IPAddress.Parse("127.0.0.2") }, TlsSans = new[] { "127.0.0.2" } }, async cluster =>
            {
                PointAt(cluster, cluster.Emulator.AlsoUrls[0]);
                using var source = new KubeconfigClusterSource(cluster.Connection());

                Assert.Equal(7, (await source.ListNodesAsync(null, CancellationToken.None)).Count);
            });
        }

        [Fact]
        public async Task Follows_continue_tokens_page_by_page_with_the_limit_it_asks_for()
        {
            using var source = new KubeconfigClusterSource(_cluster.Connection(pageSize: 2));

            IReadOnlyList<NodeFacts> nodes = await source.ListNodesAsync(null, CancellationToken.None);

            Assert.Equal(7, nodes.Select(n => n.Name).Distinct().Count());
            RecordedRequest[] pages = Emulator.Requests.Where(r => r.PathAndQuery.StartsWith("/api/v1/nodes", StringComparison.Ordinal)).ToArray();
            Assert.Equal(4, pages.Length);
            Assert.All(pages, p => Assert.Contains("limit=2", p.PathAndQuery, StringComparison.Ordinal));
            Assert.Equal(3, pages.Count(p => p.PathAndQuery.Contains("continue=", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task Sends_the_label_selector_and_gets_only_matching_nodes()
        {
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            IReadOnlyList<NodeFacts> servers = await source.ListNodesAsync("node-role.kubernetes.io/control-plane=true", CancellationToken.None);

            Assert.Equal("k3s-server-1", Assert.Single(servers).Name);
        }

        [Fact]
        public async Task Asks_for_the_coredns_pods_in_kube_system_by_label()
        {
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            ClusterDnsPod pod = Assert.Single(await source.ListClusterDnsPodsAsync(CancellationToken.None));

            Assert.Equal(("coredns-ccb96694c-x7k2p", "k3s-server-1", "Running"), (pod.Name, pod.NodeName, pod.Phase));
            Assert.Contains(Emulator.Requests, r => r.PathAndQuery == "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns&watch=false");
        }

        [Fact]
        public void Names_the_server_and_context_of_its_kubeconfig()
        {
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            Assert.Equal(new Uri(Emulator.Url.GetLeftPart(UriPartial.Authority) + "/"), source.Server);
            Assert.Equal("k3snet-emulator", source.Context);
        }

        [Fact]
        public async Task A_token_kubeconfig_reads_the_cluster_as_the_token()
        {
            Emulator.WriteKubeconfig(_cluster.KubeconfigPath, credential: KubeconfigCredential.Token);
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            Assert.Equal(7, (await source.ListNodesAsync(null, CancellationToken.None)).Count);
            Assert.Equal("token", Emulator.Requests[0].AuthenticatedAs);
        }

        [Fact]
        public async Task A_wrong_token_is_unauthorized_and_the_message_holds_no_token()
        {
            Emulator.WriteKubeconfig(_cluster.KubeconfigPath, credential: KubeconfigCredential.Token);
            File.WriteAllText(_cluster.KubeconfigPath, File.ReadAllText(_cluster.KubeconfigPath).Replace(EmulatorCluster.Token, "wrong-token-7c1d", StringComparison.Ordinal));
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Unauthorized, error.Failure);
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
            Assert.DoesNotContain("wrong-token-7c1d", error.ToString(), StringComparison.Ordinal);
            Assert.False(Assert.Single(Emulator.Requests).Authorized);
        }

        [Fact]
        public async Task Forbidden_carries_the_api_servers_rbac_message_and_the_verb_and_resource()
        {
            Emulator.SetFault("pods", ResourceFault.Forbidden);
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListClusterDnsPodsAsync(CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Forbidden, error.Failure);
            Assert.Equal(("list", "pods", "kube-system"), (error.Request.Verb, error.Request.Resource, error.Request.Namespace));
            Assert.Contains("cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_server_that_does_not_answer_times_out_after_the_timeout()
        {
            Emulator.SetFault("nodes", ResourceFault.Hang);
            using var source = new KubeconfigClusterSource(_cluster.Connection(TimeSpan.FromSeconds(1)));

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Timeout, error.Failure);
            Assert.Contains("did not answer within 1 s", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_slow_answer_within_the_timeout_still_arrives()
        {
            Emulator.SetFault("nodes", ResourceFault.Slow);
            using var source = new KubeconfigClusterSource(_cluster.Connection(TimeSpan.FromSeconds(30)));

            Assert.Equal(7, (await source.ListNodesAsync(null, CancellationToken.None)).Count);
            Assert.Equal(200, Assert.Single(Emulator.Requests).StatusCode);
        }

        [Fact]
        public async Task Cancelling_a_hung_request_ends_it_as_cancelled_and_the_server_sees_the_client_go()
        {
            Emulator.SetFault("nodes", ResourceFault.Hang);
            using var source = new KubeconfigClusterSource(_cluster.Connection(TimeSpan.FromMinutes(10)));
            using var cancel = new CancellationTokenSource();

            Task<IReadOnlyList<NodeFacts>> listing = source.ListNodesAsync(null, cancel.Token);
            await UntilAsync(() => Emulator.ActiveRequests == 1 || listing.IsCompleted);

            cancel.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listing);
            await UntilAsync(() => Emulator.Requests.Count == 1);
            Assert.True(Assert.Single(Emulator.Requests).AbortedByClient);
        }

        [Fact]
        public async Task A_closed_port_is_unreachable()
        {
            int port = FreePort();
            File.WriteAllText(_cluster.KubeconfigPath, File.ReadAllText(_cluster.KubeconfigPath).Replace(
                Emulator.Url.GetLeftPart(UriPartial.Authority), $"http://127.0.0.1:{port}", StringComparison.Ordinal));
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.Unreachable, error.Failure);
            Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Other_errors_carry_the_status_message()
        {
            Emulator.SetFault("nodes", ResourceFault.ServerError);
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.ApiError, error.Failure);
            Assert.Contains("500", error.Message, StringComparison.Ordinal);
            Assert.Contains("Internal error occurred", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_500_with_no_body_names_the_status_the_server_and_the_request()
        {
            Emulator.SetFault("nodes", ResourceFault.EmptyServerError);
            using var source = new KubeconfigClusterSource(_cluster.Connection());

            var error = await Assert.ThrowsAsync<ClusterRequestException>(() => source.ListNodesAsync(null, CancellationToken.None));

            Assert.Equal(ClusterRequestFailure.ApiError, error.Failure);
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            Assert.Equal($"The API server {source.Server} answered HTTP 500 (InternalServerError) to list nodes, with no body to say why.", error.Message);
        }

        [Fact]
        public void An_unknown_context_lists_the_known_ones()
        {
            ClusterConnection connection = _cluster.Connection() with { Context = "prod" };

            var error = Assert.Throws<ClusterConfigurationException>(() => new KubeconfigClusterSource(connection));

            Assert.Equal(ClusterConfigurationProblem.ContextNotFound, error.Problem);
            Assert.Equal(new[] { "k3snet-emulator" }, error.KnownContexts);
        }

        /// <summary>Runs a test against a cluster of its own, started with other options than the shared one.</summary>
        private static async Task WithClusterAsync(EmulatorCluster cluster, Func<EmulatorCluster, Task> test)
        {
            await cluster.InitializeAsync();
            try
            {
                await test(cluster);
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }

        /// <summary>Points the cluster's kubeconfig at another URL of the same emulator, as a user edits server:.</summary>
        private static void PointAt(EmulatorCluster cluster, Uri url) =>
            File.WriteAllText(cluster.KubeconfigPath, File.ReadAllText(cluster.KubeconfigPath).Replace(
                cluster.Emulator.Url.GetLeftPart(UriPartial.Authority), url.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal));

        /// <summary>Polls a condition the emulator reaches on its own; a bound on the polls keeps a broken run from hanging.</summary>
        private static async Task UntilAsync(Func<bool> condition)
        {
            for (int poll = 0; poll < 6000 && !condition(); poll++)
            {
                await Task.Delay(10);
            }

            Assert.True(condition());
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
