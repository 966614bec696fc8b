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
    }
}
