using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Cloud;
using K3sNet.Cloud.Kubernetes;
using K3sNet.Kubernetes;
using static K3sNet.Tests.Kubernetes.PodRunnerCluster;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The pod runner against the emulator as the lab and the Pester tests start it (a process, with --isolated, --no-v5
    /// and --max-watch-seconds): an API server before 1.30 that ends every watch after a second.
    /// </summary>
    public sealed class PodRunnerProcessTests
    {
        [IsolatedFact]
        public async Task The_runner_drives_an_emulator_process_that_ends_watches_and_speaks_only_v4()
        {
            string folder = Path.Combine(Path.GetTempPath(), "k3snet-runner-process-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (string arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "K3sNet.Emulators.KubeApi.dll"), "--nodes", EmulatorCluster.FixturePath("nodes.json"),
                "--services", EmulatorCluster.FixturePath("services.json"), "--isolated", "--no-v5", "--max-watch-seconds", "1",
                "--kubeconfig", Path.Combine(folder, "config"), "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            {
                info.ArgumentList.Add(arg);
            }

            string unique = "4545." + Environment.ProcessId;
            using Process emulator = Process.Start(info)!;
            try
            {
                Task<string> errors = emulator.StandardError.ReadToEndAsync();
                string? ready = await emulator.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(ready is not null, "the emulator wrote no ready line: " + (ready is null ? await errors.WaitAsync(TimeSpan.FromSeconds(60)) : string.Empty));
                string kubeconfig = JsonDocument.Parse(ready!).RootElement.GetProperty("kubeconfig").GetString()!;
                using IPodRunner runner = new CloudServices().ConnectPodRunner(
                    new ClusterConnection(new KubeconfigLocation(KubeconfigSource.Parameter, new[] { kubeconfig }, new[] { kubeconfig }), null, TimeSpan.FromSeconds(30)));

                await runner.CreateNamespaceAsync(Namespace("k3snet-process"), CancellationToken.None);
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var seen = new List<ProbePodStatus>();
                Task watching = Task.Run(async () =>
                {
                    await foreach (ProbePodStatus pod in runner.WatchPodsAsync("k3snet-process", null, stop.Token))
                    {
                        seen.Add(pod);
                        if (pod.Ready)
                        {
                            return;
                        }
                    }
                });

                // Created after the first watch ended: it is seen on a resumed one.
                await Task.Delay(TimeSpan.FromSeconds(2));
                await runner.CreatePodAsync(Pod("k3snet-process", "probe", "k3s-agent-2", "sleep", unique) with { HostNetwork = true, ActiveDeadlineSeconds = 120 }, CancellationToken.None);
                await watching.WaitAsync(stop.Token);
                Assert.Equal(("Running", "10.0.1.22"), (seen[^1].Phase, seen[^1].PodIP));

                await using IExecSession session = await runner.ExecAsync("k3snet-process", "probe", ProbePodSpec.ContainerName, new[] { "sh", "-c", "echo $HOSTNAME; exit 5" }, CancellationToken.None);
                Task<string> output = new StreamReader(session.StandardOutput).ReadToEndAsync();
                Assert.Equal(5, await session.ExitCode.WaitAsync(TimeSpan.FromSeconds(60)));
                Assert.Equal(ExecWebSocketBuilder.V4, session.Protocol);
                Assert.Equal("probe\n", await output.WaitAsync(TimeSpan.FromSeconds(60)));
                Assert.Equal("10.43.0.10", (await runner.ReadServiceAsync("kube-system", "kube-dns", CancellationToken.None))?.ClusterIP);

                // The control endpoint lists the pull: busybox is not among k3s-agent-2's images.
                using k8s.Kubernetes control = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
                string pulls = await control.HttpClient.GetStringAsync(new Uri(control.BaseUri, "/emulator/pulls"));
                JsonElement pull = Assert.Single(JsonDocument.Parse(pulls).RootElement.EnumerateArray());
                Assert.Equal(("k3s-agent-2", "docker.io/rancher/mirrored-library-busybox:1.37.0"), (pull.GetProperty("node").GetString(), pull.GetProperty("image").GetString()));
            }
            finally
            {
                // SIGTERM, as the lab stops it: the emulator stops its kubelet's pods before it exits.
                using (Process kill = Process.Start("kill", new[] { "-TERM", emulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
                {
                    await kill.WaitForExitAsync();
                }

                await emulator.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Directory.Delete(folder, recursive: true);
            }

            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sleep", unique)));
        }
    }
}
