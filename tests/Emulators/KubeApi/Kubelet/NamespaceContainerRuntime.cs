using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// What both runtimes share: a pod is a pause process (<see cref="PauseCommand"/>) holding the pod's namespaces, and each
    /// container (and each exec) is `nsenter -t &lt;pause&gt; -p -m -n` into them, so containers, exec and the pod's
    /// network see one pod. Subclasses say where the pause starts (which node, which network) and what to undo.
    /// </summary>
    /// <remarks>
    /// Emulated: a PID namespace per pod unless hostPID (containers of a pod share it, as with shareProcessNamespace),
    /// the node's or the pod's network, hostPath volumes bound in a mount namespace of the pod's own, exit codes (137
    /// for a killed container), stdout and stderr as the log. Not emulated: images and their filesystems (commands run
    /// with the node's own tools), capabilities and privileged (every container runs as root with all of them),
    /// the UTS namespace (hostname), resource limits, restarts.
    /// </remarks>
    public abstract class NamespaceContainerRuntime : IContainerRuntime
    {
        /// <summary>
        /// The process a sandbox parks in its namespaces: bash reading a pipe only this runtime holds, so that the pod
        /// (its PID namespace, whose PID 1 it is) ends with this process however it ends; bash, since as PID 1 it reaps
        /// the orphans the pod's processes leave.
        /// </summary>
        protected static readonly IReadOnlyList<string> PauseCommand = new[] { "bash", "-c", "read _" };

        /// <summary>What a container without a command runs (the image's entrypoint is not known).</summary>
        private static readonly IReadOnlyList<string> IdleCommand = new[] { "sleep", "infinity" };

        /// <summary>How long a pause process may take to appear below its launcher.</summary>
        private static readonly TimeSpan SandboxStartTimeout = TimeSpan.FromSeconds(15);

        private readonly ConcurrentDictionary<string, RunningPod> _pods = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _starting = new(1, 1);
        private int _disposed;

        protected NamespaceContainerRuntime()
        {
            MarkerValue = Guid.NewGuid().ToString("N");
        }

        /// <summary>
        /// The environment variable every process this runtime starts carries (K3SNET_KUBELET=&lt;id&gt;), so that a test
        /// can find anything left behind.
        /// </summary>
        public string Marker => "K3SNET_KUBELET=" + MarkerValue;

        private string MarkerValue { get; }

        public abstract bool CanRun(string nodeName);

        /// <summary>Decides where the pod's sandbox runs and prepares what must exist first (the pod's network, for a CNI).</summary>
        protected abstract Task<SandboxPlan> PrepareSandboxAsync(PodLaunch pod, CancellationToken cancellationToken);

        /// <summary>Runs once the pause process is up (its host PID given): what can only be done inside the pod's namespaces.</summary>
        protected virtual Task ConfigureSandboxAsync(PodLaunch pod, SandboxPlan plan, int pausePid, CancellationToken cancellationToken) => Task.CompletedTask;

        /// <summary>Undoes <see cref="PrepareSandboxAsync"/> (CNI del, the pod IP back to the pool). Must not throw.</summary>
        protected abstract Task ReleaseSandboxAsync(PodLaunch pod, SandboxPlan plan);

        /// <summary>Called last by <see cref="DisposeAsync"/>, after every pod has stopped.</summary>
        protected virtual ValueTask DisposeNodesAsync() => ValueTask.CompletedTask;

        public async Task<PodPlacement> StartPodAsync(PodLaunch pod, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(pod);
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (!CanRun(pod.NodeName))
            {
                throw new ContainerRuntimeException("CreatePodSandboxError", $"node \"{pod.NodeName}\" has no kubelet this runtime can run pods for");
            }

            if (_pods.TryGetValue(pod.Uid, out RunningPod? already))
            {
                return already.Placement;
            }

            // One start at a time: pod IPs and the sandbox search are simpler so, and starts are rare.
            await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await StartLockedAsync(pod, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _starting.Release();
            }
        }

        public ContainerState? GetState(string podUid, string containerName) =>
            _pods.TryGetValue(podUid, out RunningPod? pod) && pod.Containers.TryGetValue(containerName, out RunningContainer? container)
                ? container.State
                : null;

        public string ReadLog(string podUid, string containerName) =>
            _pods.TryGetValue(podUid, out RunningPod? pod) && pod.Containers.TryGetValue(containerName, out RunningContainer? container)
                ? container.Log.ToString()
                : string.Empty;

        public async Task StopPodAsync(string podUid)
        {
            if (_pods.TryRemove(podUid, out RunningPod? pod))
            {
                await StopAsync(pod).ConfigureAwait(false);
            }
        }

        public async Task<int> ExecAsync(string podUid, string containerName, IReadOnlyList<string> command, Stream? stdin, Stream stdout, Stream stderr, bool tty, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(command);
            if (!_pods.TryGetValue(podUid, out RunningPod? pod) || !pod.Containers.TryGetValue(containerName, out RunningContainer? container) || !container.State.Running)
            {
                throw new ContainerRuntimeException("ContainerNotRunning", $"container not found (\"{containerName}\")");
            }

            if (command.Count == 0)
            {
                throw new ContainerRuntimeException("InvalidCommand", "command is required");
            }

            using Process process = Start(EnterPod(pod.PausePid, command), pod.Launch);
            // A terminal merges stderr into stdout, which is what a client that asked for one reads.
            Stream errorTarget = tty ? stdout : stderr;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task output = process.StandardOutput.BaseStream.CopyToAsync(stdout, stop.Token);
            Task error = process.StandardError.BaseStream.CopyToAsync(errorTarget, stop.Token);
            Task input = CopyInputAsync(stdin, process, stop.Token);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                HostProcesses.KillTree(process.Id);
                throw;
            }

            // A background child may hold the pipes open after the command itself ended: its output is not waited for.
            await Task.WhenAny(Task.WhenAll(output, error), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            stop.Cancel();
            await Task.WhenAll(Quietly(output), Quietly(error), Quietly(input)).ConfigureAwait(false);
            return process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            foreach (string uid in _pods.Keys.ToArray())
            {
                await StopPodAsync(uid).ConfigureAwait(false);
            }

            await DisposeNodesAsync().ConfigureAwait(false);
            GC.SuppressFinalize(this);
        }

        /// <summary>
        /// The namespaces a pod gets of its own beyond its network (an unshare in front of the pause): a PID namespace
        /// unless hostPID, and a mount namespace when it has its own /proc or hostPath volumes to bind.
        /// </summary>
        protected static IReadOnlyList<string> PodNamespaces(PodLaunch pod, bool ownNetwork)
        {
            bool ownPid = !pod.HostPid;
            bool ownMount = ownPid || pod.Containers.Any(c => c.Mounts.Count > 0);
            if (!ownPid && !ownMount && !ownNetwork)
            {
                return Array.Empty<string>();
            }

            var args = new List<string> { "unshare" };
            if (ownNetwork)
            {
                args.Add("--net");
            }

            if (ownPid)
            {
                args.AddRange(new[] { "--pid", "--fork", "--kill-child", "--mount-proc" });
            }

            if (ownMount)
            {
                args.AddRange(new[] { "--mount", "--propagation", "slave" });
            }

            args.Add("--");
            return args;
        }

        /// <summary>Runs a command of the runtime's own (ip, a CNI plugin) to its end; throws with its stderr when it fails.</summary>
        protected async Task RunAsync(IReadOnlyList<string> argv, string reason, CancellationToken cancellationToken)
        {
            using Process process = Start(argv, null);
            process.StandardInput.Close();
            Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
            Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            string message = (await error.ConfigureAwait(false)).Trim();
            await output.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new ContainerRuntimeException(reason, $"{string.Join(' ', argv)}: exit {process.ExitCode}: {message}");
            }
        }

        /// <summary>
        /// Starts a process with every stream piped (never the emulator's own stdin or stdout) and a clean environment
        /// carrying the marker: what a container sees is what a pod's container would.
        /// </summary>
        protected Process Start(IReadOnlyList<string> argv, PodLaunch? pod)
        {
            var info = new ProcessStartInfo(argv[0])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = "/",
            };
            foreach (string arg in argv.Skip(1))
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment.Clear();
            info.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            info.Environment["HOME"] = "/root";
            info.Environment["K3SNET_KUBELET"] = MarkerValue;
            if (pod is not null)
            {
                info.Environment["HOSTNAME"] = pod.Name;
                info.Environment["KUBERNETES_SERVICE_HOST"] = "10.43.0.1";
                info.Environment["KUBERNETES_SERVICE_PORT"] = "443";
            }

            return Process.Start(info) ?? throw new ContainerRuntimeException("StartError", $"could not start {argv[0]}");
        }

        /// <summary>The argv that runs a command inside a pod's namespaces: its PID, mount and network namespaces.</summary>
        private static IReadOnlyList<string> EnterPod(int pausePid, IEnumerable<string> command) =>
            new[] { "nsenter", "-t", pausePid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-p", "-m", "-n", "--wd=/", "--" }.Concat(command).ToArray();

        private async Task<PodPlacement> StartLockedAsync(PodLaunch pod, CancellationToken cancellationToken)
        {
            SandboxPlan plan = await PrepareSandboxAsync(pod, cancellationToken).ConfigureAwait(false);
            Process? pause = null;
            var created = new List<string>();
            var running = new RunningPod(pod, plan, created);
            try
            {
                pause = Start(plan.PauseLauncher, pod);
                running.Pause = pause;
                Task<string> pauseErrors = pause.StandardError.ReadToEndAsync(CancellationToken.None);
                _ = pause.StandardOutput.ReadToEndAsync(CancellationToken.None);
                int? pausePid = await HostProcesses.FindDescendantAsync(pause.Id, PauseCommand, SandboxStartTimeout, cancellationToken).ConfigureAwait(false);
                if (pausePid is null)
                {
                    HostProcesses.KillTree(pause.Id);
                    string why = pauseErrors.IsCompleted ? (await pauseErrors.ConfigureAwait(false)).Trim() : "the sandbox did not start in time";
                    throw new ContainerRuntimeException("CreatePodSandboxError", $"failed to create pod sandbox: {why}");
                }

                running.PausePid = pausePid.Value;
                await ConfigureSandboxAsync(pod, plan, pausePid.Value, cancellationToken).ConfigureAwait(false);
                await BindVolumesAsync(pod, pausePid.Value, created, cancellationToken).ConfigureAwait(false);
                foreach (ContainerLaunch container in pod.Containers)
                {
                    IReadOnlyList<string> command = container.Command.Count > 0 ? container.Command.Concat(container.Args).ToArray() : IdleCommand;
                    Process process = Start(EnterPod(pausePid.Value, command), pod);
                    process.StandardInput.Close();
                    running.Containers[container.Name] = new RunningContainer(process);
                }

                _pods[pod.Uid] = running;
                return running.Placement;
            }
            catch
            {
                await StopAsync(running).ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>
        /// hostPath volumes, bound in the pod's own mount namespace. A mount point missing on the node is made, and
        /// removed when the pod stops (the pod's mount namespace shares the node's filesystems).
        /// </summary>
        private async Task BindVolumesAsync(PodLaunch pod, int pausePid, List<string> created, CancellationToken cancellationToken)
        {
            foreach (HostPathMount mount in pod.Containers.SelectMany(c => c.Mounts).DistinctBy(m => m.MountPath))
            {
                if (!Directory.Exists(mount.MountPath) && !File.Exists(mount.MountPath))
                {
                    created.Add(mount.MountPath);
                }

                string pid = pausePid.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string script = "mkdir -p \"$2\" && mount --rbind \"$1\" \"$2\"" + (mount.ReadOnly ? " && mount -o remount,bind,ro \"$2\"" : string.Empty);
                await RunAsync(new[] { "nsenter", "-t", pid, "-m", "--", "sh", "-c", script, "sh", mount.HostPath, mount.MountPath }, "CreateContainerError", cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task StopAsync(RunningPod pod)
        {
            var launchers = pod.Containers.Values.Select(c => c.Process).ToList();
            if (pod.Pause is not null)
            {
                launchers.Add(pod.Pause);
            }

            // The pause first: with a PID namespace of the pod's own it is PID 1 there, and the kernel ends every
            // process of the pod with it; each wrapper above then reaps its child and exits, leaving no zombie behind.
            if (pod.PausePid > 0)
            {
                HostProcesses.Kill(pod.PausePid);
            }

            // A hostPID pod's processes share the node's PID namespace, which does not end: their trees go one by one.
            if (!pod.Launch.HostPid)
            {
                await WaitForExitAsync(launchers, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }

            foreach (Process process in launchers)
            {
                if (!HasExited(process))
                {
                    HostProcesses.KillTree(process.Id);
                }
            }

            await WaitForExitAsync(launchers, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await ReleaseSandboxAsync(pod.Launch, pod.Plan).ConfigureAwait(false);
            foreach (string path in pod.CreatedMountPoints)
            {
                try
                {
                    Directory.Delete(path);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            foreach (Process process in launchers)
            {
                process.Dispose();
            }
        }

        private static async Task WaitForExitAsync(IEnumerable<Process> processes, TimeSpan timeout)
        {
            using var wait = new CancellationTokenSource(timeout);
            foreach (Process process in processes)
            {
                try
                {
                    await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (InvalidOperationException)
                {
                    // Never started.
                }
            }
        }

        private static bool HasExited(Process process)
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }

        private static async Task CopyInputAsync(Stream? stdin, Process process, CancellationToken cancellationToken)
        {
            Stream target = process.StandardInput.BaseStream;
            try
            {
                if (stdin is not null)
                {
                    byte[] buffer = new byte[16384];
                    int read;
                    while ((read = await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                // End of the client's stdin (v5's close, or none asked for) is end of the command's.
                try
                {
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                }
            }
        }

        private static async Task Quietly(Task task)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }

        /// <summary>Where a pod's sandbox starts: the argv whose last words are <see cref="PauseCommand"/>, and the pod's addresses.</summary>
        protected sealed record SandboxPlan(IReadOnlyList<string> PauseLauncher, string PodIp, string HostIp, string? PodNetNamespace);

        private sealed class RunningPod
        {
            public RunningPod(PodLaunch launch, SandboxPlan plan, List<string> createdMountPoints)
            {
                Launch = launch;
                Plan = plan;
                CreatedMountPoints = createdMountPoints;
                Placement = new PodPlacement(plan.PodIp, plan.HostIp);
            }

            public PodLaunch Launch { get; }

            public SandboxPlan Plan { get; }

            public PodPlacement Placement { get; }

            public List<string> CreatedMountPoints { get; }

            public Process? Pause { get; set; }

            public int PausePid { get; set; }

            public ConcurrentDictionary<string, RunningContainer> Containers { get; } = new(StringComparer.Ordinal);
        }

        private sealed class RunningContainer
        {
            public RunningContainer(Process process)
            {
                Process = process;
                StartedAt = DateTimeOffset.UtcNow;
                Captured = Task.WhenAll(Log.CaptureAsync(process.StandardOutput.BaseStream), Log.CaptureAsync(process.StandardError.BaseStream));
            }

            public Process Process { get; }

            public ContainerLog Log { get; } = new();

            public DateTimeOffset StartedAt { get; }

            public Task Captured { get; }

            public ContainerState State
            {
                get
                {
                    try
                    {
                        if (!Process.HasExited)
                        {
                            return new ContainerState(true, null, StartedAt, null);
                        }

                        return new ContainerState(false, Process.ExitCode, StartedAt, new DateTimeOffset(Process.ExitTime.ToUniversalTime()));
                    }
                    catch (InvalidOperationException)
                    {
                        return new ContainerState(false, 137, StartedAt, StartedAt);
                    }
                }
            }
        }
    }
}
