using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;
using K3sNet.NodeAccess;
using K3sNet.Tests.Kubernetes;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>
    /// The node agent's script run by the machine's busybox, driven by <see cref="NodeAgentSession"/> over the process's
    /// stdin and stdout, as an exec session's streams carry it. Stdin is never closed: exec v4 cannot close it.
    /// </summary>
    public sealed class NodeAgentSessionTests
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        [Fact]
        public async Task Fifty_concurrent_requests_of_very_different_sizes_come_back_intact_each_to_its_caller()
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            string files = Path.Combine(agent.TempDirectory, "files");
            Directory.CreateDirectory(files);
            int[] sizes = Enumerable.Range(0, 50).Select(i => i % 5 switch { 0 => 0, 1 => i, 2 => 4096 + i, 3 => 65536 * 3 + i, _ => 700_000 + i }).ToArray();
            var expected = new string[sizes.Length];
            for (int i = 0; i < sizes.Length; i++)
            {
                // Text that names its file on every line: a piece of another answer in this one would show.
                var text = new StringBuilder();
                while (text.Length < sizes[i])
                {
                    text.Append(i).Append(':').Append(text.Length).Append('\n');
                }

                expected[i] = text.ToString(0, sizes[i]);
                await File.WriteAllTextAsync(Path.Combine(files, $"f{i}"), expected[i]);
            }

            // Half by cat of a file, half as tools print it to stdout with something on stderr too.
            Task<HostToolRun>[] runs = Enumerable.Range(0, sizes.Length)
                .Select(i => i % 2 == 0
                    ? agent.Session.RunAsync("cat", new[] { Path.Combine(files, $"f{i}") }, CancellationToken.None)
                    : agent.Session.RunAsync("head", new[] { "-c", sizes[i].ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(files, $"f{i}") }, CancellationToken.None))
                .ToArray();
            HostToolRun[] answers = await Task.WhenAll(runs).WaitAsync(Patience);

            for (int i = 0; i < sizes.Length; i++)
            {
                Assert.Null(answers[i].Failure);
                Assert.True(expected[i] == answers[i].Output, $"request {i} ({sizes[i]} bytes) came back as {answers[i].Output?.Length} bytes starting '{answers[i].Output?[..Math.Min(20, answers[i].Output!.Length)]}'");
            }

            Assert.Equal(50, agent.Session.RequestCount);
        }

        [Fact]
        public async Task A_failing_tool_gives_its_first_stderr_line_and_a_missing_one_is_not_installed()
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            HostToolRun failed = await agent.Session.RunAsync("cat", new[] { "/nonexistent/k3snet" }, CancellationToken.None).WaitAsync(Patience);
            Assert.Null(failed.Output);
            Assert.False(failed.NotInstalled);
            Assert.StartsWith("'cat /nonexistent/k3snet' failed: ", failed.Failure, StringComparison.Ordinal);
            Assert.Contains("No such file or directory", failed.Failure, StringComparison.Ordinal);

            HostToolRun silentFailure = await agent.Session.RunAsync("false", Array.Empty<string>(), CancellationToken.None).WaitAsync(Patience);
            Assert.Equal("'false ' failed: exit code 1", silentFailure.Failure);

            HostToolRun missing = await agent.Session.RunAsync("k3snet-no-such-tool", new[] { "-x" }, CancellationToken.None).WaitAsync(Patience);
            Assert.Equal(new HostToolRun(null, "'k3snet-no-such-tool' is not installed", NotInstalled: true), missing);

            // The agent serves on after failures.
            Assert.Equal("ok\n", (await agent.Session.RunAsync("echo", new[] { "ok" }, CancellationToken.None).WaitAsync(Patience)).Output);
            Assert.Equal(4, agent.Session.RequestCount);
        }

        [Fact]
        public async Task ReadFile_gives_a_file_s_text_and_null_for_a_missing_file()
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            string path = Path.Combine(agent.TempDirectory, "osrelease");
            await File.WriteAllTextAsync(path, "6.8.0-1021-aws\n");
            Assert.Equal("6.8.0-1021-aws\n", await agent.Session.ReadFileAsync(path, CancellationToken.None).WaitAsync(Patience));
            Assert.Null(await agent.Session.ReadFileAsync(path + ".missing", CancellationToken.None).WaitAsync(Patience));
            Assert.Equal(2, agent.Session.RequestCount);
        }

        [Theory]
        [InlineData("a b")]
        [InlineData("it's")]
        [InlineData("\"x\"")]
        [InlineData("$HOME")]
        [InlineData("x;reboot")]
        [InlineData("`id`")]
        [InlineData("a\nb")]
        [InlineData("*")]
        [InlineData("")]
        public async Task A_word_the_shell_could_interpret_is_refused_before_anything_is_sent(string word)
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            await Assert.ThrowsAsync<ArgumentException>(() => agent.Session.RunAsync("echo", new[] { "ok", word }, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => agent.Session.RunAsync(word, Array.Empty<string>(), CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => agent.Session.ReadFileAsync(word, CancellationToken.None));
            Assert.Equal(0, agent.Session.RequestCount);

            // Nothing reached the agent: the next request is answered as the first.
            Assert.Equal("ok\n", (await agent.Session.RunAsync("echo", new[] { "ok" }, CancellationToken.None).WaitAsync(Patience)).Output);
        }

        [Fact]
        public async Task A_cancelled_request_stops_its_tool_and_its_late_answer_goes_nowhere()
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Task<HostToolRun> slow = agent.Session.RunAsync("sleep", new[] { "31" }, cancel.Token);
            Task<HostToolRun> quick = agent.Session.RunAsync("echo", new[] { "quick" }, CancellationToken.None);
            Assert.Equal("quick\n", (await quick.WaitAsync(Patience)).Output);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.WaitAsync(Patience));

            // The agent killed the sleep: nothing with the agent's marker but the agent itself and its writer loop.
            IReadOnlyList<int> sleeping = await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sleep", "31").Where(pid => HasMarker(pid, agent.Marker)).ToArray());
            Assert.Empty(sleeping);
            Assert.Equal("after\n", (await agent.Session.RunAsync("echo", new[] { "after" }, CancellationToken.None).WaitAsync(Patience)).Output);
        }

        [Fact]
        public async Task Disposing_ends_the_agent_with_its_temp_dir_and_every_process_it_started()
        {
            AgentProcess agent = AgentProcess.Start("test agent");
            try
            {
                Assert.Equal("up\n", (await agent.Session.RunAsync("echo", new[] { "up" }, CancellationToken.None).WaitAsync(Patience)).Output);
                Assert.Single(Directory.EnumerateDirectories(agent.TempDirectory, "k3snet-agent.*"));
                Task<HostToolRun> running = agent.Session.RunAsync("sleep", new[] { "32" }, CancellationToken.None);
                await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithCommandLine("sleep", "32").Any(pid => HasMarker(pid, agent.Marker)) ? Array.Empty<int>() : new[] { 0 });

                await agent.Session.DisposeAsync();
                Assert.True(await agent.ExitedAsync(Patience), "the agent did not exit after the session asked it to");
                Assert.Equal(0, agent.ExitCode);
                await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync(Patience));
                Assert.Empty(Directory.EnumerateFileSystemEntries(agent.TempDirectory));
                Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(agent.Marker)));
                await Assert.ThrowsAnyAsync<Exception>(() => agent.Session.RunAsync("echo", new[] { "late" }, CancellationToken.None));
            }
            finally
            {
                await agent.DisposeAsync();
            }
        }

        [Fact]
        public async Task The_next_agent_removes_the_temp_dir_a_killed_agent_left_and_keeps_those_of_live_agents_and_other_pid_namespaces()
        {
            string shared = Directory.CreateTempSubdirectory("k3snet-agent-test-").FullName;
            try
            {
                // A probe pod deleted mid-run kills its agent with SIGKILL: its trap never runs, its dir stays on the node.
                AgentProcess killed = AgentProcess.Start("killed agent", tempDirectory: shared);
                Assert.Equal("up\n", (await killed.Session.RunAsync("echo", new[] { "up" }, CancellationToken.None).WaitAsync(Patience)).Output);
                string left = Assert.Single(Directory.EnumerateDirectories(shared, "k3snet-agent.*"));
                await killed.KillAsync();
                await killed.DisposeAsync();
                Assert.True(Directory.Exists(left));

                string ownNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget!;
                string live = Directory.CreateDirectory(Path.Combine(shared, "k3snet-agent.live")).FullName;
                File.WriteAllText(Path.Combine(live, "agent"), $"{Environment.ProcessId} {ownNamespace}\n");
                string elsewhere = Directory.CreateDirectory(Path.Combine(shared, "k3snet-agent.elsewhere")).FullName;
                File.WriteAllText(Path.Combine(elsewhere, "agent"), "4 pid:[4026530000]\n");

                await using AgentProcess next = AgentProcess.Start("next agent", tempDirectory: shared);
                Assert.Equal("up\n", (await next.Session.RunAsync("echo", new[] { "up" }, CancellationToken.None).WaitAsync(Patience)).Output);
                Assert.False(Directory.Exists(left), "the dir of the killed agent is still there");
                Assert.True(Directory.Exists(live), "the dir of a live agent was removed");
                Assert.True(Directory.Exists(elsewhere), "the dir of an agent in another PID namespace (whose PIDs this one cannot see) was removed");
            }
            finally
            {
                Directory.Delete(shared, recursive: true);
            }
        }

        [Fact]
        public async Task The_end_of_its_stdin_ends_the_agent_and_its_temp_dir_too()
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            Assert.Equal("up\n", (await agent.Session.RunAsync("echo", new[] { "up" }, CancellationToken.None).WaitAsync(Patience)).Output);
            agent.CloseInput();
            Assert.True(await agent.ExitedAsync(Patience), "the agent did not exit at the end of its stdin");
            Assert.Equal(0, agent.ExitCode);
            Assert.Empty(Directory.EnumerateFileSystemEntries(agent.TempDirectory));
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(agent.Marker)));
        }

        [Fact]
        public async Task An_answer_nobody_reads_ends_the_agent_with_its_temp_dir_though_its_stdin_stays_open()
        {
            await using AgentProcess agent = AgentProcess.Start("test agent");
            Assert.Equal("up\n", (await agent.Session.RunAsync("echo", new[] { "up" }, CancellationToken.None).WaitAsync(Patience)).Output);
            agent.CloseOutput();
            await agent.WriteLineAsync("99 echo nobody-reads-this");
            Assert.True(await agent.ExitedAsync(Patience), "the agent kept running with nobody reading its answers");
            Assert.Empty(Directory.EnumerateFileSystemEntries(agent.TempDirectory));
            Assert.Empty(await MachineProcesses.LeftAfterAsync(() => MachineProcesses.WithEnvironment(agent.Marker)));
        }

        [Fact]
        public void The_exec_command_enters_the_host_s_mount_namespace_with_k3s_s_busybox_and_puts_the_host_s_tools_first()
        {
            const string Tools = "/var/lib/rancher/k3s/data/current/bin";
            IReadOnlyList<string> command = NodeAgentScript.Command(Tools);
            Assert.Equal(new[] { Tools + "/busybox", "nsenter", "-t", "1", "-m", "--", Tools + "/busybox", "sh", "-c" }, command.Take(9));
            Assert.Equal(NodeAgentScript.Text(Tools), command[9]);
            Assert.StartsWith($"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:{Tools}\n", command[9], StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => NodeAgentScript.Command("/var/lib/my k3s/bin"));
            Assert.Throws<ArgumentException>(() => NodeAgentScript.Command("/data/$(reboot)"));
        }

        private static bool HasMarker(int pid, string marker)
        {
            try
            {
                return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ")).Split('\0').Contains(marker, StringComparer.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
