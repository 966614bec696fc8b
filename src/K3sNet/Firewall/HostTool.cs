using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Firewall
{
    /// <summary>Runs a node tool (nft, iptables-legacy-save, ip) for the host checks: missing or failing tools are answers, not exceptions.</summary>
    internal static class HostTool
    {
        /// <summary>The tool's output, or null with why it gave none (not installed, or its own error: "Operation not permitted").</summary>
        public static async Task<(string? Output, string? Failure)> RunAsync(string tool, CancellationToken cancellationToken, params string[] arguments)
        {
            HostToolRun run = await ExecuteAsync(tool, cancellationToken, arguments).ConfigureAwait(false);
            return (run.Output, run.Failure);
        }

        /// <summary>
        /// Runs the tool to its end: its output when it exits 0, else why not. Ctrl+C kills it (and its children), so a tool
        /// that hangs (a stuck netlink dump) never outlives the cmdlet.
        /// </summary>
        public static async Task<HostToolRun> ExecuteAsync(string tool, CancellationToken cancellationToken, params string[] arguments)
        {
            var start = new ProcessStartInfo(tool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
            }
            catch (Win32Exception)
            {
                return new HostToolRun(null, $"'{tool}' is not installed", NotInstalled: true);
            }

            using (process)
            {
                Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
                try
                {
                    await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                        // It exited meanwhile.
                    }

                    throw;
                }

                string text = await output.ConfigureAwait(false);
                string error = (await errors.ConfigureAwait(false)).Trim();
                return process.ExitCode == 0
                    ? new HostToolRun(text, null, NotInstalled: false)
                    : new HostToolRun(null, $"'{tool} {string.Join(" ", arguments)}' failed: {(error.Length > 0 ? error.Split('\n')[0] : $"exit code {process.ExitCode}")}", NotInstalled: false);
            }
        }
    }
}
