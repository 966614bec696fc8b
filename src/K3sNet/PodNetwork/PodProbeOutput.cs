using System;
using System.Collections.Generic;
using System.Globalization;

namespace K3sNet.PodNetwork
{
    /// <summary>One probe's exit code and output, as its job in the pod printed them.</summary>
    internal sealed record PodProbeRun(string Id, int ExitCode, string Output)
    {
        /// <summary>busybox timeout killed the tool (SIGTERM): the probe ran out of time.</summary>
        public bool TimedOut => ExitCode == 143;

        /// <summary>
        /// Reads the lines "K3SNET id exit-code output" from a pod's standard output (output's newlines as \037); other
        /// lines (a shell's own complaint) are ignored. A probe without a line is absent: its job never finished.
        /// </summary>
        public static IReadOnlyDictionary<string, PodProbeRun> Parse(string standardOutput)
        {
            var runs = new Dictionary<string, PodProbeRun>(StringComparer.Ordinal);
            foreach (string line in standardOutput.Split('\n'))
            {
                string[] parts = line.TrimEnd('\r').Split(' ', 4);
                if (parts.Length < 3 || parts[0] != PodProbeScript.Marker
                    || !int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int exitCode))
                {
                    continue;
                }

                string output = parts.Length == 4 ? parts[3].Replace('\u001f', '\n') : string.Empty;
                runs[parts[1]] = new PodProbeRun(parts[1], exitCode, output);
            }

            return runs;
        }
    }
}
