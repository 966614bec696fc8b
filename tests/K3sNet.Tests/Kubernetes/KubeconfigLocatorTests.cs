using System.Collections.Generic;
using System.Linq;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    public sealed class KubeconfigLocatorTests
    {
        private sealed class FakeEnvironment : IKubeconfigEnvironment
        {
            public Dictionary<string, string> Variables { get; } = new();

            public HashSet<string> Files { get; } = new();

            /// <summary>Files that exist and hold no YAML content.</summary>
            public HashSet<string> EmptyFiles { get; } = new();

            public HashSet<string> Directories { get; } = new();

            public string? GetVariable(string name) => Variables.TryGetValue(name, out string? value) ? value : null;

            public bool FileExists(string path) => Files.Contains(path) || EmptyFiles.Contains(path);

            public bool DirectoryExists(string path) => Directories.Contains(path);

            public bool IsEmptyFile(string path) => EmptyFiles.Contains(path);

            public string? HomeDirectory { get; set; } = "/home/ops";

            public string CurrentDirectory { get; set; } = "/work";

            public char PathListSeparator => ':';
        }

        [Fact]
        public void The_kubeconfig_parameter_wins_over_everything_and_is_resolved_against_the_shell_folder()
        {
            var env = new FakeEnvironment { Files = { "/work/cluster.yaml", "/home/ops/.kube/config" } };
            env.Variables["KUBECONFIG"] = "/home/ops/.kube/config";

            KubeconfigLocation location = KubeconfigLocator.Locate("cluster.yaml", env);

            Assert.Equal(KubeconfigSource.Parameter, location.Source);
            Assert.Equal(new[] { "/work/cluster.yaml" }, location.Files);
        }

        [Fact]
        public void A_kubeconfig_parameter_that_does_not_exist_is_an_error_and_nothing_else_is_tried()
        {
            var env = new FakeEnvironment { Files = { "/home/ops/.kube/config" } };

            var error = Assert.Throws<KubeconfigNotFoundException>(() => KubeconfigLocator.Locate("/nope.yaml", env));

            Assert.True(error.ExplicitPathMissing);
            Assert.Equal(new[] { "/nope.yaml" }, error.Tried);
        }

        [Fact]
        public void Kubeconfig_variable_lists_several_files_keeps_the_ones_that_exist_in_order()
        {
            var env = new FakeEnvironment { Files = { "/a/second.yaml", "/a/first.yaml", "/home/ops/.kube/config" } };
            env.Variables["KUBECONFIG"] = "/a/missing.yaml::/a/first.yaml:~/x.yaml:/a/second.yaml:/a/first.yaml";

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.KubeconfigVariable, location.Source);
            Assert.Equal(new[] { "/a/first.yaml", "/a/second.yaml" }, location.Files);
            Assert.Contains("KUBECONFIG: /home/ops/x.yaml", location.Tried);
        }

        [Fact]
        public void Then_the_users_kube_config()
        {
            var env = new FakeEnvironment { Files = { "/home/ops/.kube/config", KubeconfigLocator.K3sServerKubeconfig } };
            env.Variables["KUBECONFIG"] = "/a/missing.yaml";

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.UserHome, location.Source);
            Assert.Equal(new[] { "/home/ops/.kube/config" }, location.Files);
        }

        [Fact]
        public void Falling_past_a_kubeconfig_variable_that_names_no_existing_file_warns_with_both_places()
        {
            var env = new FakeEnvironment { Files = { "/home/ops/.kube/config" } };
            env.Variables["KUBECONFIG"] = "/a/mistyped.yaml";

            string? warning = KubeconfigLocator.Locate(null, env).KubeconfigVariableSkipped();

            Assert.NotNull(warning);
            Assert.Contains("/a/mistyped.yaml", warning, System.StringComparison.Ordinal);
            Assert.Contains("reading /home/ops/.kube/config instead", warning, System.StringComparison.Ordinal);
        }

        [Fact]
        public void No_warning_when_kubeconfig_variable_is_used_or_unset()
        {
            var used = new FakeEnvironment { Files = { "/a/cluster.yaml" } };
            used.Variables["KUBECONFIG"] = "/a/cluster.yaml";
            var unset = new FakeEnvironment { Files = { "/home/ops/.kube/config" } };

            Assert.Null(KubeconfigLocator.Locate(null, used).KubeconfigVariableSkipped());
            Assert.Null(KubeconfigLocator.Locate(null, unset).KubeconfigVariableSkipped());
        }

        [Fact]
        public void Then_the_k3s_servers_own_file()
        {
            var env = new FakeEnvironment { Files = { KubeconfigLocator.K3sServerKubeconfig } };

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.K3sServer, location.Source);
            Assert.Equal(new[] { "/etc/rancher/k3s/k3s.yaml" }, location.Files);
        }

        [Fact]
        public void Then_in_cluster_when_the_service_variables_and_token_are_there()
        {
            var env = new FakeEnvironment { Files = { KubeconfigLocator.ServiceAccountToken } };
            env.Variables["KUBERNETES_SERVICE_HOST"] = "10.43.0.1";
            env.Variables["KUBERNETES_SERVICE_PORT"] = "443";

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.InCluster, location.Source);
            Assert.Empty(location.Files);
        }

        [Fact]
        public void Nothing_anywhere_lists_every_path_tried_in_order()
        {
            var env = new FakeEnvironment();
            env.Variables["KUBECONFIG"] = "/a/one.yaml:/a/two.yaml";

            var error = Assert.Throws<KubeconfigNotFoundException>(() => KubeconfigLocator.Locate(null, env));

            Assert.False(error.ExplicitPathMissing);
            Assert.Equal(
                new[] { "KUBECONFIG: /a/one.yaml", "KUBECONFIG: /a/two.yaml", "/home/ops/.kube/config", "/etc/rancher/k3s/k3s.yaml" },
                error.Tried.Take(4));
            Assert.StartsWith("in-cluster:", error.Tried[4], System.StringComparison.Ordinal);
        }

        [Fact]
        public void An_empty_kubeconfig_parameter_is_an_error_naming_it_and_nothing_else_is_tried()
        {
            var env = new FakeEnvironment { EmptyFiles = { "/work/empty.yaml" }, Files = { "/home/ops/.kube/config" } };

            var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLocator.Locate("empty.yaml", env));

            Assert.Equal(ClusterConfigurationProblem.Empty, error.Problem);
            Assert.Equal("/work/empty.yaml", error.Path);
            Assert.Contains("'/work/empty.yaml' is empty", error.Message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_directory_as_kubeconfig_parameter_says_it_is_a_directory()
        {
            var env = new FakeEnvironment { Directories = { "/home/ops/.kube" }, Files = { "/home/ops/.kube/config" } };

            var error = Assert.Throws<ClusterConfigurationException>(() => KubeconfigLocator.Locate("/home/ops/.kube", env));

            Assert.Equal(ClusterConfigurationProblem.IsDirectory, error.Problem);
            Assert.Equal("/home/ops/.kube", error.Path);
            Assert.Contains("is a directory", error.Message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void An_empty_users_kube_config_is_skipped_for_the_k3s_servers_file_and_says_so()
        {
            var env = new FakeEnvironment { EmptyFiles = { "/home/ops/.kube/config" }, Files = { KubeconfigLocator.K3sServerKubeconfig } };

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.K3sServer, location.Source);
            Assert.Equal(new[] { "/home/ops/.kube/config is empty" }, location.Skipped);
            Assert.Equal(new[] { "/home/ops/.kube/config (empty)", KubeconfigLocator.K3sServerKubeconfig }, location.Tried);
        }

        [Fact]
        public void Kubeconfig_variable_merges_only_the_files_with_content_and_skips_the_empty_ones_and_directories()
        {
            var env = new FakeEnvironment { EmptyFiles = { "/a/empty.yaml" }, Directories = { "/a/dir" }, Files = { "/a/good.yaml" } };
            env.Variables["KUBECONFIG"] = "/a/empty.yaml:/a/dir:/a/good.yaml";

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.KubeconfigVariable, location.Source);
            Assert.Equal(new[] { "/a/good.yaml" }, location.Files);
            Assert.Equal(new[] { "/a/empty.yaml is empty", "/a/dir is a directory" }, location.Skipped);
        }

        [Fact]
        public void Kubeconfig_variable_naming_only_empty_files_falls_through_with_a_warning_that_names_them()
        {
            var env = new FakeEnvironment { EmptyFiles = { "/a/empty.yaml" }, Files = { "/home/ops/.kube/config" } };
            env.Variables["KUBECONFIG"] = "/a/empty.yaml";

            KubeconfigLocation location = KubeconfigLocator.Locate(null, env);

            Assert.Equal(KubeconfigSource.UserHome, location.Source);
            Assert.Contains("/a/empty.yaml (empty)", location.KubeconfigVariableSkipped(), System.StringComparison.Ordinal);
        }

        [Fact]
        public void Only_empty_files_anywhere_is_no_configuration_and_the_list_marks_them()
        {
            var env = new FakeEnvironment { EmptyFiles = { "/home/ops/.kube/config", KubeconfigLocator.K3sServerKubeconfig } };

            var error = Assert.Throws<KubeconfigNotFoundException>(() => KubeconfigLocator.Locate(null, env));

            Assert.Equal(new[] { "/home/ops/.kube/config (empty)", "/etc/rancher/k3s/k3s.yaml (empty)" }, error.Tried.Take(2));
        }
    }
}
