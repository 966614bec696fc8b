using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using K3sNet.NodeAccess;

namespace K3sNet.Tests.NodeAccess
{
    /// <summary>
    /// The node agent for real: the machine's busybox runs <see cref="NodeAgentScript.Text"/> as a process, with its
    /// temp dir under a private TMPDIR and a marker in its environment (its children inherit it), so a test can check
    /// that nothing of it is left. Optionally inside a lab node's network namespace (`ip netns exec`).
    /// </summary>
    internal sealed class AgentProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private readonly bool _ownsTempDirectory;

        private AgentProcess(Process process, string tempDirectory, bool ownsTempDirectory, string marker, NodeAgentSession session)
        {
            _process = process;
            _ownsTempDirectory = ownsTempDirectory;
            TempDirectory = tempDirectory;
            Marker = marker;
            Session = session;
        }

        public NodeAgentSession Session { get; }

        public string TempDirectory { get; }

        /// <summary>NAME=value in the environment of the agent and everything it starts.</summary>
        public string Marker { get; }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        /// <param name="tempDirectory">A TMPDIR shared with other agents (as a node's /tmp is), which the caller removes; null: a private one.</param>
        public static AgentProcess Start(string description, string? networkNamespace = null, string? tempDirectory = null)
        {
            string temp = tempDirectory ?? Directory.CreateTempSubdirectory("k3snet-agent-test-").FullName;
            string marker = "K3SNET_AGENT_TEST=" + Guid.NewGuid().ToString("N");
            string busybox = File.Exists("/usr/bin/busybox") ? "/usr/bin/busybox" : "/bin/busybox";
            var info = new ProcessStartInfo(networkNamespace is null ? busybox : "ip")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (networkNamespace is not null)
            {
                foreach (string word in new[] { "netns", "exec", networkNamespace, busybox })
                {
                    info.ArgumentList.Add(word);
                }
            }

            info.ArgumentList.Add("sh");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(NodeAgentScript.Text(Path.GetDirectoryName(busybox)!));
            info.Environment["TMPDIR"] = temp;
            info.Environment[marker.Split('=')[0]] = marker.Split('=')[1];
            Process process = Process.Start(info)!;
            _ = process.StandardError.ReadToEndAsync();
            var session = new NodeAgentSession(description, process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
            return new AgentProcess(process, temp, tempDirectory is null, marker, session);
        }

        /// <summary>SIGKILL to the agent and everything it started, as a probe pod's deletion does: no trap runs.</summary>
        public async Task KillAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        /// <summary>Closes the agent's stdin, as an exec session that ends does (v5 can; v4 cannot, so the session never relies on it).</summary>
        public void CloseInput() => _process.StandardInput.Close();

        /// <summary>Closes K3sNet's end of the agent's stdout, as an exec session whose reader went away.</summary>
        public void CloseOutput() => _process.StandardOutput.Close();

        /// <summary>Writes a request line straight to the agent's stdin, past the session.</summary>
        public async Task WriteLineAsync(string line)
        {
            await _process.StandardInput.WriteAsync(line + "\n");
            await _process.StandardInput.FlushAsync();
        }

        /// <summary>Waits for the agent to exit on its own (after the session's `exit`); true when it did.</summary>
        public async Task<bool> ExitedAsync(TimeSpan patience)
        {
            Task exited = _process.WaitForExitAsync();
            return await Task.WhenAny(exited, Task.Delay(patience)) == exited;
        }

        public async ValueTask DisposeAsync()
        {
            await Session.DisposeAsync();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            if (_ownsTempDirectory)
            {
                Directory.Delete(TempDirectory, recursive: true);
            }
        }
    }
}
