using System;
using System.IO;
using K3sNet.Cloud.Kubernetes;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>kubectl's merge of several KUBECONFIG files, on KubernetesClient's own kubeconfig model.</summary>
    public sealed class KubeconfigLoaderTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "k3snet-kubeconfig-" + Guid.NewGuid().ToString("N"));

        public KubeconfigLoaderTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private string Write(string name, string? currentContext, params (string Context, string Server)[] contexts)
        {
            var text = new System.Text.StringBuilder("apiVersion: v1\nkind: Config\n");
            if (currentContext is not null)
            {
                text.Append("current-context: ").Append(currentContext).Append('\n');
            }

            text.Append("clusters:\n");
            foreach ((string context, string server) in contexts)
            {
                text.Append($"- name: {context}\n  cluster:\n    server: {server}\n");
            }

            text.Append("contexts:\n");
            foreach ((string context, _) in contexts)
            {
                text.Append($"- name: {context}\n  context:\n    cluster: {context}\n    user: {context}\n");
            }

            text.Append("users:\n");
            foreach ((string context, _) in contexts)
            {
                text.Append($"- name: {context}\n  user:\n    token: secret-{context}\n");
            }

            string path = Path.Combine(_folder, name);
            File.WriteAllText(path, text.ToString());
            return path;
        }

        private static KubeconfigLocation Variable(params string[] files) => new(KubeconfigSource.KubeconfigVariable, files, files);

        [Fact]
        public void The_first_file_that_sets_current_context_wins_and_contexts_of_all_files_are_known()
        {
            string first = Write("first", null, ("dev", "http://127.0.0.1:1"));
            string second = Write("second", "prod", ("prod", "http://127.0.0.1:2"), ("dev", "http://127.0.0.1:3"));
            string third = Write("third", "dev", ("staging", "http://127.0.0.1:4"));

            KubeconfigContexts contexts = KubeconfigLoader.ReadContexts(Variable(first, second, third));

            Assert.Equal("prod", contexts.CurrentContext);
            Assert.Equal(new[] { "dev", "prod", "staging" }, contexts.Names);
        }

        [Fact]
        public void A_name_defined_twice_takes_the_first_files_definition()
        {
            string first = Write("first", "dev", ("dev", "http://127.0.0.1:1111"));
            string second = Write("second", null, ("dev", "http://127.0.0.1:2222"));

            k8s.KubernetesClientConfiguration configuration = KubeconfigLoader.Build(Variable(first, second), null);

            Assert.Equal("http://127.0.0.1:1111", configuration.Host.TrimEnd('/'));
            Assert.Equal("secret-dev", configuration.AccessToken);
        }

        [Fact]
        public void Context_picks_a_context_from_any_merged_file()
        {
            string first = Write("first", "dev", ("dev", "http://127.0.0.1:1111"));
            string second = Write("second", null, ("prod", "http://127.0.0.1:2222"));

            Assert.Equal("http://127.0.0.1:2222", KubeconfigLoader.Build(Variable(first, second), "prod").Host.TrimEnd('/'));
        }

        [Fact]
        public void Relative_certificate_paths_start_at_the_file_that_names_them_as_kubectl_reads_them()
        {
            string first = Write("first", "dev", ("dev", "http://127.0.0.1:1111"));
            string other = Directory.CreateDirectory(Path.Combine(_folder, "other")).FullName;
            using (var key = System.Security.Cryptography.ECDsa.Create())
            {
                var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                    "CN=k3s-server-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
                using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
                File.WriteAllText(Path.Combine(other, "ca.crt"), ca.ExportCertificatePem());
            }

            string second = Path.Combine(other, "config");
            File.WriteAllText(second, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: prod
                  cluster:
                    server: https://127.0.0.1:6443
                    certificate-authority: ca.crt
                contexts:
                - name: prod
                  context:
                    cluster: prod
                    user: prod
                users:
                - name: prod
                  user:
                    token: secret-prod
                """);

            k8s.KubernetesClientConfiguration configuration = KubeconfigLoader.Build(Variable(first, second), "prod");

            Assert.Equal("CN=k3s-server-ca", Assert.Single(configuration.SslCaCerts).Subject);

            File.Delete(Path.Combine(other, "ca.crt"));
            var missing = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(first, second), "prod"));
            Assert.Equal(ClusterConfigurationProblem.Invalid, missing.Problem);
            Assert.Contains(Path.Combine(other, "ca.crt"), missing.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void No_current_context_and_no_context_given_is_its_own_problem()
        {
            string only = Write("only", null, ("dev", "http://127.0.0.1:1"));

            var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(only), null));

            Assert.Equal(ClusterConfigurationProblem.NoCurrentContext, error.Problem);
            Assert.Equal(new[] { "dev" }, error.KnownContexts);
        }

        [Fact]
        public void A_file_that_is_not_yaml_is_invalid_and_the_message_quotes_none_of_it()
        {
            string path = Path.Combine(_folder, "broken");
            File.WriteAllText(path, "users:\n- name: x\n  user:\n    token: tok-never-shown\n  : [\n");

            var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(path), null));

            Assert.Equal(ClusterConfigurationProblem.Invalid, error.Problem);
            Assert.DoesNotContain("tok-never-shown", error.ToString(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   \n\n")]
        [InlineData("---\n")]
        public void An_empty_file_is_its_own_problem_naming_the_file_not_a_null_reference(string text)
        {
            string path = Path.Combine(_folder, "empty");
            File.WriteAllText(path, text);

            var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(path), null));

            Assert.Equal(ClusterConfigurationProblem.Empty, error.Problem);
            Assert.Equal(path, error.Path);
            Assert.Contains($"'{path}' is empty", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_context_whose_cluster_is_not_defined_is_named_by_its_name_with_the_clusters_there_are()
        {
            string path = WriteText("dangling", """
                apiVersion: v1
                kind: Config
                current-context: prod-east
                clusters:
                - name: staging
                  cluster:
                    server: https://127.0.0.1:6443
                contexts:
                - name: prod-east
                  context:
                    cluster: prod
                    user: admin
                users:
                - name: admin
                  user:
                    token: tok-never-shown
                """);

            var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(path), null));

            Assert.Equal(ClusterConfigurationProblem.Invalid, error.Problem);
            Assert.Contains("context 'prod-east' names cluster 'prod', which the kubeconfig does not define (clusters: staging)", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("KubeConfigModels", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_context_whose_cluster_has_no_server_or_whose_user_is_missing_says_which()
        {
            string noServer = WriteText("no-server", """
                apiVersion: v1
                kind: Config
                current-context: dev
                clusters:
                - name: dev
                  cluster:
                    insecure-skip-tls-verify: true
                contexts:
                - name: dev
                  context:
                    cluster: dev
                    user: dev
                users:
                - name: dev
                  user:
                    token: tok-never-shown
                """);
            string noUser = WriteText("no-user", File.ReadAllText(noServer)
                .Replace("    insecure-skip-tls-verify: true", "    server: https://127.0.0.1:6443", StringComparison.Ordinal)
                .Replace("    user: dev", "    user: ops", StringComparison.Ordinal));

            var server = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(noServer), null));
            var user = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLoader.Build(Variable(noUser), null));

            Assert.Contains("cluster 'dev' of context 'dev' has no server: address", server.Message, StringComparison.Ordinal);
            Assert.Contains("context 'dev' names user 'ops', which the kubeconfig does not define (users: dev)", user.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("KubeConfigModels", server.Message + user.Message, StringComparison.Ordinal);
        }

        private string WriteText(string name, string text)
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllText(path, text);
            return path;
        }
    }
}
