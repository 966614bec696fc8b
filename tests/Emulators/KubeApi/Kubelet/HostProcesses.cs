using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The machine's process table as /proc shows it from the emulator (which always runs in the host's PID namespace,
    /// even inside a node's network namespace): children, whole trees, and the host PID of a process that a chain of
    /// nsenter / ip netns exec / unshare started in other namespaces.
    /// </summary>
    internal static class HostProcesses
    {
        public static IReadOnlyList<int> Children(int pid)
        {
            var children = new List<int>();
            try
            {
                foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    string text = File.ReadAllText(Path.Combine(task, "children"));
                    children.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }

            return children;
        }

        /// <summary>The process and every descendant, parents before children.</summary>
        public static IReadOnlyList<int> Tree(int pid)
        {
            var all = new List<int> { pid };
            for (int i = 0; i < all.Count; i++)
            {
                all.AddRange(Children(all[i]).Where(c => !all.Contains(c)));
            }

            return all;
        }

        /// <summary>The process's argv, or null when it is gone.</summary>
        public static string[]? CommandLine(int pid)
        {
            try
            {
                string raw = File.ReadAllText($"/proc/{pid}/cmdline");
                return raw.TrimEnd('\0').Split('\0');
            }
            catch (IOException)
            {
                return null;
            }
        }

        public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

        /// <summary>
        /// Stops the processes outright: stopped first so that none of them forks or reaps while the tree is walked, then
        /// killed. A process that left the tree before (a daemon that double-forked) is not found.
        /// </summary>
        public static void KillTree(int pid)
        {
            IReadOnlyList<int> tree = Tree(pid);
            foreach (int member in tree)
            {
                Signal(member, SigStop);
            }

            foreach (int member in Tree(pid).Concat(tree).Distinct())
            {
                Signal(member, SigKill);
            }
        }

        /// <summary>Kills one process (SIGKILL); nothing when it is gone.</summary>
        public static void Kill(int pid) => Signal(pid, SigKill);

        /// <summary>
        /// The host PID of the first process below <paramref name="root"/> whose argv is <paramref name="argv"/>: the
        /// pause process of a sandbox, found through the wrappers that started it. Null when it did not appear in time.
        /// </summary>
        public static async Task<int?> FindDescendantAsync(int root, IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken)
        {
            DateTime until = DateTime.UtcNow + timeout;
            while (true)
            {
                foreach (int pid in Tree(root))
                {
                    if (CommandLine(pid) is string[] line && line.SequenceEqual(argv))
                    {
                        return pid;
                    }
                }

                if (DateTime.UtcNow > until || !Exists(root))
                {
                    return null;
                }

                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Every process whose environment holds <paramref name="marker"/> (NAME=value): what a runtime started.</summary>
        public static IReadOnlyList<int> WithEnvironment(string marker)
        {
            var found = new List<int>();
            byte[] wanted = System.Text.Encoding.UTF8.GetBytes(marker);
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId)
                {
                    continue;
                }

                try
                {
                    byte[] environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                    foreach (ReadOnlyMemory<byte> entry in Split(environ))
                    {
                        if (entry.Span.SequenceEqual(wanted))
                        {
                            found.Add(pid);
                            break;
                        }
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return found;
        }

        private static IEnumerable<ReadOnlyMemory<byte>> Split(byte[] environ)
        {
            int start = 0;
            for (int i = 0; i <= environ.Length; i++)
            {
                if (i == environ.Length || environ[i] == 0)
                {
                    if (i > start)
                    {
                        yield return new ReadOnlyMemory<byte>(environ, start, i - start);
                    }

                    start = i + 1;
                }
            }
        }

        private const int SigKill = 9;
        private const int SigStop = 19;

        private static void Signal(int pid, int signal) => _ = NativeMethods.Kill(pid, signal);

        private static class NativeMethods
        {
            [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
            public static extern int Kill(int pid, int signal);
        }
    }
}
