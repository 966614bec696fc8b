using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using k8s;
using k8s.Models;
using K3sNet.Emulators.KubeApi;
using static K3sNet.Tests.Kubernetes.KubeApiTestPods;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>RBAC denials on demand and Pod Security admission, with the API server's messages, through the real KubernetesClient.</summary>
    public sealed class EmulatorAccessTests : IAsyncLifetime
    {
        private const string User = "system:serviceaccount:kube-system:k3snet-reader";
        private readonly EmulatorCluster _cluster = new() { Runtime = new RecordingContainerRuntime() };
        private k8s.Kubernetes _client = null!;

        public async Task InitializeAsync()
        {
            await _cluster.InitializeAsync();
            _client = _cluster.Client();
            await NamespaceAsync(_client, "k3snet-x");
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _cluster.DisposeAsync();
        }

        [Fact]
        public async Task A_denied_verb_is_a_403_with_the_authorizers_message_and_other_verbs_still_work()
        {
            _cluster.Emulator.Access.Forbid("create", "pods");

            var (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Pod("p"), "k3snet-x"));

            Assert.Equal((HttpStatusCode.Forbidden, "Forbidden"), (code, status.Reason));
            Assert.Equal($"pods is forbidden: User \"{User}\" cannot create resource \"pods\" in API group \"\" in the namespace \"k3snet-x\"", status.Message);
            Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync("k3snet-x")).Items);
        }

        [Fact]
        public async Task Denials_name_the_group_the_subresource_the_object_and_the_cluster_scope()
        {
            AccessRules access = _cluster.Emulator.Access;
            access.Forbid("create:daemonsets");
            access.Forbid("delete:namespaces");
            access.Forbid("list:nodes");
            access.Forbid("create:pods/exec");
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("target", "k3s-agent-1"), "k3snet-x");

            var (_, status) = await FailureAsync(() => _client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
            {
                Metadata = new V1ObjectMeta { Name = "ds" },
                Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector(), Template = new V1PodTemplateSpec() },
            }, "k3snet-x"));
            Assert.Equal($"daemonsets.apps is forbidden: User \"{User}\" cannot create resource \"daemonsets\" in API group \"apps\" in the namespace \"k3snet-x\"", status.Message);

            (_, status) = await FailureAsync(() => _client.CoreV1.DeleteNamespaceAsync("k3snet-x"));
            Assert.Equal($"namespaces \"k3snet-x\" is forbidden: User \"{User}\" cannot delete resource \"namespaces\" in API group \"\" in the namespace \"k3snet-x\"", status.Message);

            (_, status) = await FailureAsync(() => _client.CoreV1.ListNodeAsync());
            Assert.Equal($"nodes is forbidden: User \"{User}\" cannot list resource \"nodes\" in API group \"\" at the cluster scope", status.Message);

            // The exec request as the client opens it (a GET upgrade): refused before any exec handler is reached.
            using HttpResponseMessage exec = await _client.HttpClient.GetAsync(new Uri(_client.BaseUri, "api/v1/namespaces/k3snet-x/pods/target/exec?command=ls&stdout=true"));
            V1Status execStatus = KubernetesJson.Deserialize<V1Status>(await exec.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Forbidden, exec.StatusCode);
            Assert.Equal($"pods \"target\" is forbidden: User \"{User}\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"k3snet-x\"", execStatus.Message);

            Assert.Equal(new[] { "create:daemonsets", "create:pods/exec", "delete:namespaces", "list:nodes" }, access.Denied);
            access.Clear();
            Assert.NotEmpty((await _client.CoreV1.ListNodeAsync()).Items);
        }

        [Fact]
        public async Task The_control_endpoint_denies_and_allows_a_verb_as_the_forbid_option_does()
        {
            using HttpResponseMessage forbid = await _client.HttpClient.PutAsync(new Uri(_client.BaseUri, "emulator/forbid?verb=get&resource=pods"), null);
            Assert.Equal(HttpStatusCode.NoContent, forbid.StatusCode);
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("seen", "k3s-agent-1"), "k3snet-x");

            var (code, status) = await FailureAsync(() => _client.CoreV1.ReadNamespacedPodAsync("seen", "k3snet-x"));
            Assert.Equal((HttpStatusCode.Forbidden, $"pods \"seen\" is forbidden: User \"{User}\" cannot get resource \"pods\" in API group \"\" in the namespace \"k3snet-x\""), (code, status.Message));

            using HttpResponseMessage allow = await _client.HttpClient.DeleteAsync(new Uri(_client.BaseUri, "emulator/forbid?verb=get&resource=pods"));
            Assert.Equal("seen", (await _client.CoreV1.ReadNamespacedPodAsync("seen", "k3snet-x")).Metadata.Name);
            Assert.Throws<ArgumentException>(() => new AccessRules().Forbid("create-pods"));
        }

        [Fact]
        public async Task A_baseline_namespace_refuses_a_privileged_host_probe_with_pod_securitys_message_and_admits_a_plain_pod()
        {
            await NamespaceAsync(_client, "k3snet-baseline", new Dictionary<string, string> { ["pod-security.kubernetes.io/enforce"] = "baseline" });
            V1Pod probe = Pod("probe", "k3s-agent-1");
            probe.Spec.HostNetwork = true;
            probe.Spec.HostPID = true;
            probe.Spec.Volumes = new List<V1Volume> { new() { Name = "host", HostPath = new V1HostPathVolumeSource { Path = "/" } } };
            probe.Spec.Containers[0].SecurityContext = new V1SecurityContext { Privileged = true };

            var (code, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(probe, "k3snet-baseline"));

            Assert.Equal((HttpStatusCode.Forbidden, "Forbidden"), (code, status.Reason));
            Assert.Equal(
                "pods \"probe\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume \"host\"), privileged (container \"probe\" must not set securityContext.privileged=true)",
                status.Message);
            Assert.Equal("plain", (await _client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), "k3snet-baseline")).Metadata.Name);

            // kubectl debug's netadmin profile: capabilities beyond the runtime's defaults.
            V1Pod netadmin = Pod("netadmin");
            netadmin.Spec.Containers[0].SecurityContext = new V1SecurityContext { Capabilities = new V1Capabilities { Add = new List<string> { "NET_ADMIN", "NET_RAW", "CHOWN" } } };
            (_, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(netadmin, "k3snet-baseline"));
            Assert.Equal(
                "pods \"netadmin\" is forbidden: violates PodSecurity \"baseline:latest\": non-default capabilities (container \"probe\" must not include \"NET_ADMIN\", \"NET_RAW\" in securityContext.capabilities.add)",
                status.Message);
        }

        [Fact]
        public async Task A_restricted_namespace_names_every_setting_a_plain_pod_lacks()
        {
            await NamespaceAsync(_client, "k3snet-restricted", new Dictionary<string, string> { ["pod-security.kubernetes.io/enforce"] = "restricted" });

            var (_, status) = await FailureAsync(() => _client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), "k3snet-restricted"));

            Assert.Equal(
                "pods \"plain\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"probe\" must set securityContext.allowPrivilegeEscalation=false), "
                + "unrestricted capabilities (container \"probe\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"probe\" must set securityContext.runAsNonRoot=true), "
                + "seccompProfile (pod or container \"probe\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
                status.Message);
        }

        [Fact]
        public async Task Serves_the_labs_services_read_only()
        {
            string file = Path.Combine(Path.GetTempPath(), $"k3snet-services-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(file, """
                {"kind":"ServiceList","apiVersion":"v1","metadata":{},"items":[
                  {"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default"},"spec":{"clusterIP":"10.43.0.1","ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]}},
                  {"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"clusterIP":"10.43.0.10","ports":[{"name":"dns","port":53,"protocol":"UDP"}]}}]}
                """);
            var cluster = new EmulatorCluster { ServicesPath = file };
            await cluster.InitializeAsync();
            try
            {
                using k8s.Kubernetes client = cluster.Client();
                Assert.Equal(new[] { "kubernetes", "kube-dns" }, (await client.CoreV1.ListServiceForAllNamespacesAsync()).Items.Select(s => s.Metadata.Name));
                Assert.Equal("10.43.0.10", (await client.CoreV1.ReadNamespacedServiceAsync("kube-dns", "kube-system")).Spec.ClusterIP);
                Assert.Equal(new[] { "kube-dns" }, (await client.CoreV1.ListNamespacedServiceAsync("kube-system", labelSelector: "k8s-app=kube-dns")).Items.Select(s => s.Metadata.Name));
            }
            finally
            {
                await cluster.DisposeAsync();
                File.Delete(file);
            }
        }
    }
}
