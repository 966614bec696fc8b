using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>Pods and namespaces as the tests of the emulator's API create them, and waits on what the API reports.</summary>
    internal static class KubeApiTestPods
    {
        public static V1Pod Pod(string name, string? node = null, string image = "busybox:1.36", IDictionary<string, string>? labels = null, string restartPolicy = "Always") => new()
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string> { ["app"] = "probe" } },
            Spec = new V1PodSpec
            {
                NodeName = node,
                RestartPolicy = restartPolicy,
                Containers = new List<V1Container> { new() { Name = "probe", Image = image, Command = new List<string> { "sleep", "3600" } } },
            },
        };

        public static async Task<string> NamespaceAsync(IKubernetes client, string name, IDictionary<string, string>? labels = null)
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
            return name;
        }

        /// <summary>Reads until <paramref name="done"/> holds (the API settles asynchronously, as a real cluster does); fails with the last read.</summary>
        public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
        {
            T last = await read();
            for (int attempt = 0; attempt < 300 && !done(last); attempt++)
            {
                await Task.Delay(50);
                last = await read();
            }

            Assert.True(done(last), $"Never saw {what}; last: {KubernetesJson.Serialize(last)}");
            return last;
        }

        public static Task<V1Pod> UntilPodAsync(IKubernetes client, string ns, string name, Func<V1Pod, bool> done, string what) =>
            UntilAsync(() => client.CoreV1.ReadNamespacedPodAsync(name, ns), done, what);

        public static async Task UntilGoneAsync(IKubernetes client, string ns, string name)
        {
            bool gone = await UntilAsync(async () =>
            {
                try
                {
                    await client.CoreV1.ReadNamespacedPodAsync(name, ns);
                    return false;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    return true;
                }
            }, g => g, $"pod {ns}/{name} gone");
            Assert.True(gone);
        }

        public static V1ContainerStatus Container(V1Pod pod) => pod.Status.ContainerStatuses.Single();

        public static string? Condition(V1Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status;

        /// <summary>The Status the API answered with, as the client reads it from a failed call.</summary>
        public static async Task<(HttpStatusCode Code, V1Status Status)> FailureAsync(Func<Task> call)
        {
            HttpOperationException failure = await Assert.ThrowsAsync<HttpOperationException>(call);
            return (failure.Response.StatusCode, KubernetesJson.Deserialize<V1Status>(failure.Response.Content));
        }
    }
}
