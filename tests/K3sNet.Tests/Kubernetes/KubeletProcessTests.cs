using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>
    /// The emulator as a process with `--isolated --static-pods`: its kubelet runs the pods, the real client execs in
    /// them, and no pod process outlives the emulator, whether it is stopped (SIGTERM) or killed outright (SIGKILL).
    /// </summary>
    public sealed class KubeletProcessTests
    {
        [IsolatedFact]
        public Task A_killed_emulator_leaves_no_pod_process() => RunAndEndAsync(signal: "KILL");

        [IsolatedFact]
        public Task A_stopped_emulator_stops_its_pods_first() => RunAndEndAsync(signal: "TERM");

        private static async Task RunAndEndAsync(string signal)
        {
            string folder = Path.Combine(Path.GetTempPath(), "k3snet-kubelet-process-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            string unique = $"4343.{Environment.ProcessId}{signal.Length}";
            try
            {
                File.WriteAllText(Path.Combine(folder, "static.json"), new JsonObject
                {
                    ["kind"] = "PodList",
                    ["apiVersion"] = "v1",
                    ["items"] = new JsonArray(StaticPod("own-pid", hostPid: false, "sleep", unique), StaticPod("host-pid", hostPid: true, "sleep", unique + "1")),
                }.ToJsonString());
                var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
                foreach (string arg in new[]
                {
                    Path.Combine(AppContext.BaseDirectory, "K3sNet.Emulators.KubeApi.dll"), "--nodes", EmulatorCluster.FixturePath("nodes.json"),
                    "--isolated", "--static-pods", Path.Combine(folder, "static.json"), "--kubeconfig", Path.Combine(folder, "config"),
                    "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                })
                {
                    info.ArgumentList.Add(arg);
                }

                using Process emulator = Process.Start(info)!;
                Task<string> errors = emulator.StandardError.ReadToEndAsync();
                string? ready = await emulator.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (ready is null)
                {
                    Assert.Fail("the emulator wrote no ready line: " + await errors.WaitAsync(TimeSpan.FromSeconds(60)));
                }

                JsonElement line = JsonDocument.Parse(ready!).RootElement;
                Assert.Equal(new[] { "own-pid", "host-pid" }, line.GetProperty("staticPods").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToArray());

                using (k8s.Kubernetes client = new(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(line.GetProperty("kubeconfig").GetString()!)))
                {
                    string hostname = string.Empty;
                    int exit = await client.NamespacedPodExecAsync("own-pid", "default", "main", new[] { "sh", "-c", "echo $HOSTNAME" }, false,
                        async (_, output, _) => hostname = await new StreamReader(output).ReadToEndAsync(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
                    Assert.Equal(0, exit);
                    Assert.Equal("own-pid\n", hostname);
                }

                Assert.Single(MachineProcesses.WithCommandLine("sleep", unique));
                Assert.Single(MachineProcesses.WithCommandLine("sleep", unique + "1"));

                using (Process kill = Process.Start("kill", new[] { "-" + signal, emulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
                {
                    await kill.WaitForExitAsync();
                }

                await emulator.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sleep", unique).Concat(MachineProcesses.WithCommandLine("sleep", unique + "1")).ToArray()));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private static JsonObject StaticPod(string name, bool hostPid, params string[] command) => new()
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["uid"] = Guid.NewGuid().ToString() },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = "k3s-agent-1",
                ["hostPID"] = hostPid,
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "main",
                    ["image"] = "busybox:1.36",
                    ["command"] = new JsonArray(command.Select(c => (JsonNode)c).ToArray()),
                }),
            },
        };
    }
}
