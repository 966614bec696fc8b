using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// Runs the emulator on its own:
    /// <c>K3sNet.Emulators.Ec2 --state state.json [--listen 127.0.0.1:0] [--ready-file path] [--on-change command]
    /// [--parent-pid pid] [--region us-east-1] [--access-key ID=SECRET[=TOKEN]]... [--page-limit N] [--empty-first-page]</c>.
    /// Prints <c>EC2 emulator listening on http://127.0.0.1:PORT/</c> when ready (and writes the URL to --ready-file);
    /// runs until Ctrl+C or SIGTERM. --on-change runs <c>/bin/sh -c command</c> after every security-group change,
    /// with the state JSON on stdin and its path in K3SNET_EC2_STATE. --parent-pid exits when that process exits, so
    /// an emulator never outlives the test or lab that started it, even when its owner is killed. --region is the region
    /// the endpoint serves (signatures scoped to another are refused); --access-key adds a key beside AKIDEXAMPLE;
    /// --page-limit and --empty-first-page make pages short, as EC2 may.
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            string? statePath = null;
            string listen = "127.0.0.1:0";
            string? readyFile = null;
            string? onChange = null;
            int? parentPid = null;
            string region = "us-east-1";
            var keys = new System.Collections.Generic.List<string[]>();
            int? pageLimit = null;
            bool emptyFirstPage = false;
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--state": statePath = Next(); break;
                    case "--listen": listen = Next(); break;
                    case "--ready-file": readyFile = Next(); break;
                    case "--on-change": onChange = Next(); break;
                    case "--parent-pid": parentPid = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                    case "--region": region = Next(); break;
                    case "--access-key": keys.Add(Next().Split('=', 3)); break;
                    case "--page-limit": pageLimit = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                    case "--empty-first-page": emptyFirstPage = true; break;
                    default:
                        await Console.Error.WriteLineAsync($"Unknown argument '{args[i]}'. Usage: --state <file> [--listen addr:port] [--ready-file <file>] [--on-change <command>] [--parent-pid <pid>] [--region <region>] [--access-key ID=SECRET[=TOKEN]] [--page-limit <n>] [--empty-first-page]");
                        return 2;
                }
            }

            Ec2State state = statePath is null ? new Ec2State() : Ec2State.Parse(await File.ReadAllTextAsync(statePath));
            int colon = listen.LastIndexOf(':');
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(state, listen[..colon], int.Parse(listen[(colon + 1)..]));
            emulator.Region = region;
            foreach (string[] key in keys)
            {
                emulator.AddAccessKey(key[0], key.Length > 1 ? key[1] : string.Empty, key.Length > 2 ? key[2] : null);
            }

            if (pageLimit is not null || emptyFirstPage)
            {
                emulator.SetPaging(pageLimit, emptyFirstPage);
            }

            string snapshot = Path.Combine(Path.GetTempPath(), $"k3snet-ec2-state-{Environment.ProcessId}.json");
            if (onChange is not null)
            {
                emulator.OnChange = json => RunHook(onChange, json, snapshot);
            }

            Console.WriteLine($"EC2 emulator listening on {emulator.ServiceUrl}");
            if (readyFile is not null)
            {
                await File.WriteAllTextAsync(readyFile + ".tmp", emulator.ServiceUrl.ToString());
                File.Move(readyFile + ".tmp", readyFile, overwrite: true);
            }

            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
            if (parentPid is int parent)
            {
                _ = ParentProcess.StopWhenExitedAsync(parent, stop);
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            // The hook's snapshot is a temp file of this run: it goes with the emulator.
            File.Delete(snapshot);
            return 0;
        }

        /// <summary>Runs the hook to completion before the change's response goes out, so a Grant that returns is in effect.</summary>
        internal static void RunHook(string command, string json, string snapshotPath)
        {
            File.WriteAllText(snapshotPath, json);
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            start.Environment["K3SNET_EC2_STATE"] = snapshotPath;
            using Process process = Process.Start(start)!;
            process.StandardInput.Write(json);
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"on-change hook exited with {process.ExitCode}");
            }
        }
    }
}
