using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Emulators.KubeApi.Kubelet;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The emulator as a command. It starts, writes a kubeconfig for itself, prints one JSON ready line on stdout
    /// (url, alsoUrls, kubeconfig, tokenKubeconfig, context, pid) and optionally the same to --ready-file, then serves
    /// until Ctrl+C, SIGTERM, or the exit of --parent-pid. Nothing else is written to stdout, so a parent may read just
    /// the first line.
    /// </summary>
    public static class Program
    {
        private const string Usage = """
            K3sNet Kubernetes API emulator (tests only; loopback or lab addresses)

              --nodes <file>          NodeList JSON to serve (required)
              --pods <file>           PodList JSON (CoreDNS pods, k8s-app=kube-dns) to serve
              --services <file>       ServiceList JSON (the lab's services) to serve, read-only
              --listen <address>      address to listen on (default 127.0.0.1); HTTPS, with a certificate naming it
              --port <n>              port (default 0: pick a free one)
              --also-listen <address> another address to answer on (own free port) that the certificate does not name,
                                      as a node's public IP (repeatable)
              --tls-san <name>        another DNS name or IP for the serving certificate, as k3s --tls-san (repeatable)
              --token <text>          a bearer token the server also accepts (default: a random one)
              --kubeconfig <file>     where to write the kubeconfig for this emulator, shaped as k3s.yaml: CA data and the
                                      admin's EC client certificate and key (default: emulator-kubeconfig.yaml)
              --token-kubeconfig <file>  also write a kubeconfig whose user carries the token instead
              --context <name>        its context name (default k3snet-emulator)
              --ready-file <file>     also write the ready line there
              --page-size <n>         most items per list answer, whatever the client's limit (default: no cap)
              --fault <res>=<fault>   nodes|pods|version = Forbidden|Hang|Slow|ServerError|EmptyServerError (repeatable)
              --slow-ms <n>           delay of a Slow answer (default 2000)
              --forbid <verb:resource>  deny a verb on a resource with RBAC's 403, e.g. create:pods, create:pods/exec,
                                      delete:namespaces, list:nodes, create:daemonsets (repeatable; * for any verb)
              --user <name>           user the 403 message names
              --max-watch-seconds <n> end every watch after n seconds, as an API server ends watches after its request
                                      timeout (default: only timeoutSeconds or the client ends one)

            Pods created through the API are scheduled (taints, nodeSelector, node affinity; nodeName bypasses the
            scheduler) and run by the container runtime when there is one; without one they stay Pending
            (ContainerCreating). Images are never pulled: the image name only chooses a fault:
              fault.k3snet.invalid/image-pull[:tag]              ErrImagePull, then ImagePullBackOff
              fault.k3snet.invalid/never-ready[:tag]             runs, but never Ready
              fault.k3snet.invalid/create-container-error[:tag]  CreateContainerError
            any other image runs normally. Control (HTTPS, same credentials): PUT /emulator/forbid?verb=&resource=,
            DELETE /emulator/forbid, PUT /emulator/image-faults?image=&fault=ImagePull|NeverReady|CreateContainerError,
            GET /emulator/pulls (the images a kubelet pulled: one its node's status.images did not list, or any under Always).
            A namespace labelled pod-security.kubernetes.io/enforce=baseline|restricted refuses pods as Pod Security does.
            A pod with spec.activeDeadlineSeconds still active that long after it started ends Failed (DeadlineExceeded),
            its processes stopped, as the kubelet ends it.
              --parent-pid <pid>      exit when that process exits
              --lab <lab.json>        run pods on the lab's nodes (their PID, mount and network namespaces) and serve
                                      pods/exec and pods/log for them
              --isolated              run pods in fresh namespaces of their own instead (root; no lab)
              --no-v5                 answer exec as an API server older than 1.30: no v5.channel.k8s.io
              --static-pods <file>    PodList the kubelet runs at start (with --lab or --isolated), as a kubelet's
                                      static pods: exec and log reach them; the ready line lists their podIPs
            """;

        public static async Task<int> Main(string[] args)
        {
            Dictionary<string, List<string>> options;
            try
            {
                options = ParseArguments(args);
            }
            catch (ArgumentException exception)
            {
                Console.Error.WriteLine(exception.Message);
                Console.Error.WriteLine(Usage);
                return 2;
            }

            if (options.ContainsKey("help") || !options.ContainsKey("nodes") || (options.ContainsKey("lab") && options.ContainsKey("isolated"))
                || (options.ContainsKey("static-pods") && !options.ContainsKey("lab") && !options.ContainsKey("isolated")))
            {
                Console.Error.WriteLine(Usage);
                return options.ContainsKey("help") ? 0 : 2;
            }

            ClusterObjects objects = ClusterObjects.Load(One(options, "nodes")!, One(options, "pods"), One(options, "services"));
            IReadOnlyList<JsonObject> staticPods = One(options, "static-pods") is string staticPath ? ClusterObjects.ReadList(staticPath, "PodList") : Array.Empty<JsonObject>();
            IContainerRuntime? runtime = RuntimeFor(options, objects);
            string token = One(options, "token") ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            var emulator = new KubeApiEmulator(objects, token)
            {
                MaxPageSize = int.Parse(One(options, "page-size") ?? "0", CultureInfo.InvariantCulture),
                SlowDelay = TimeSpan.FromMilliseconds(int.Parse(One(options, "slow-ms") ?? "2000", CultureInfo.InvariantCulture)),
                MaxWatchDuration = TimeSpan.FromSeconds(int.Parse(One(options, "max-watch-seconds") ?? "0", CultureInfo.InvariantCulture)),
                UserName = One(options, "user") ?? "system:serviceaccount:kube-system:k3snet-reader",
                TlsSans = options.GetValueOrDefault("tls-san") ?? new List<string>(),
                AlsoListenOn = (options.GetValueOrDefault("also-listen") ?? new List<string>()).Select(IPAddress.Parse).ToArray(),
                Runtime = runtime,
            };
            // pods/exec and pods/log reach the pods created through the API and the kubelet's static pods.
            KubeletEndpoints? kubelet = runtime is null
                ? null
                : new KubeletEndpoints(new LayeredPodDirectory(emulator.Pods, new ServedPodDirectory(staticPods)), runtime, HostIpLookup(objects))
                {
                    ServerSpeaksV5 = !options.ContainsKey("no-v5"),
                };
            emulator.Kubelet = kubelet;
            foreach (string rule in options.GetValueOrDefault("forbid") ?? new List<string>())
            {
                try
                {
                    emulator.Access.Forbid(rule);
                }
                catch (ArgumentException exception)
                {
                    Console.Error.WriteLine($"--forbid: {exception.Message}");
                    Console.Error.WriteLine(Usage);
                    return 2;
                }
            }

            foreach (string fault in options.GetValueOrDefault("fault") ?? new List<string>())
            {
                string[] parts = fault.Split('=', 2);
                emulator.SetFault(parts[0], Enum.Parse<ResourceFault>(parts.Length > 1 ? parts[1] : "None", ignoreCase: true));
            }

            await emulator.StartAsync(IPAddress.Parse(One(options, "listen") ?? "127.0.0.1"), int.Parse(One(options, "port") ?? "0", CultureInfo.InvariantCulture));
            string kubeconfig = Path.GetFullPath(One(options, "kubeconfig") ?? "emulator-kubeconfig.yaml");
            string context = One(options, "context") ?? "k3snet-emulator";
            emulator.WriteKubeconfig(kubeconfig, context);
            string? tokenKubeconfig = One(options, "token-kubeconfig") is string tokenPath ? Path.GetFullPath(tokenPath) : null;
            if (tokenKubeconfig is not null)
            {
                emulator.WriteKubeconfig(tokenKubeconfig, context, KubeconfigCredential.Token);
            }

            var started = new List<object>();
            foreach (PodLaunch pod in staticPods.Select(PodSpecReader.ToLaunch))
            {
                try
                {
                    PodPlacement placement = await kubelet!.Runtime.StartPodAsync(pod, CancellationToken.None);
                    started.Add(new { name = pod.Name, @namespace = pod.Namespace, node = pod.NodeName, podIP = placement.PodIp, hostIP = placement.HostIp });
                }
                catch (ContainerRuntimeException exception)
                {
                    Console.Error.WriteLine($"static pod {pod.Namespace}/{pod.Name}: {exception.Reason}: {exception.Message}");
                }
            }

            string ready = JsonSerializer.Serialize(new
            {
                ready = true,
                url = emulator.Url.GetLeftPart(UriPartial.Authority),
                alsoUrls = emulator.AlsoUrls.Select(u => u.GetLeftPart(UriPartial.Authority)).ToArray(),
                kubeconfig,
                tokenKubeconfig,
                context,
                pid = Environment.ProcessId,
                staticPods = started,
            });
            if (One(options, "ready-file") is string readyFile)
            {
                File.WriteAllText(readyFile, ready + Environment.NewLine);
            }

            Console.Out.WriteLine(ready);
            Console.Out.Flush();

            // Never disposed: ProcessExit may still cancel it while the process ends.
            var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
            // SIGTERM: stop as Ctrl+C does, through the disposal below, so the kubelet's pods end before the emulator.
            using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                stop.Cancel();
            });
            if (One(options, "parent-pid") is string parent)
            {
                _ = ParentProcess.StopWhenExitedAsync(int.Parse(parent, CultureInfo.InvariantCulture), stop);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await emulator.DisposeAsync();
            return 0;
        }

        /// <summary>The kubelet side for --lab or --isolated, over the pods the emulator serves; null without either.</summary>
        /// <summary>The container runtime the options ask for: the lab's nodes (--lab), fresh namespaces (--isolated), or none.</summary>
        private static IContainerRuntime? RuntimeFor(Dictionary<string, List<string>> options, ClusterObjects objects) =>
            One(options, "lab") is string lab
                ? new LabContainerRuntime(LabDescription.Load(lab))
                : options.ContainsKey("isolated") ? new IsolatedContainerRuntime(PodSpecReader.InternalIps(objects.Nodes)) : null;

        private static Func<string, string?> HostIpLookup(ClusterObjects objects)
        {
            IReadOnlyDictionary<string, string> internalIps = PodSpecReader.InternalIps(objects.Nodes);
            return node => internalIps.GetValueOrDefault(node);
        }

        private static Dictionary<string, List<string>> ParseArguments(string[] args)
        {
            var options = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Unexpected argument '{args[i]}'.");
                }

                string name = args[i].Substring(2);
                if (name is "help" or "isolated" or "no-v5")
                {
                    options[name] = new List<string>();
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"--{name} needs a value.");
                }

                if (!options.TryGetValue(name, out List<string>? values))
                {
                    options[name] = values = new List<string>();
                }

                values.Add(args[++i]);
            }

            return options;
        }

        private static string? One(Dictionary<string, List<string>> options, string name) =>
            options.TryGetValue(name, out List<string>? values) && values.Count > 0 ? values[^1] : null;
    }
}
