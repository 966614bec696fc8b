using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Matrix
{
    /// <summary>
    /// The one character each cell of the grid shows, shared by the console grid and the Markdown table so a ticket and
    /// a terminal read the same. ASCII only, so logs, e-mail and ticket systems keep them; '.' for Healthy so the eye
    /// finds the letters.
    /// </summary>
    internal static class VxlanMatrixSymbols
    {
        public const char Self = '-';
        public const char Untested = '?';

        public static char For(VxlanMatrixCell cell) => cell.Verdict is { } verdict ? For(verdict) : Untested;

        public static char For(VxlanVerdict verdict) => verdict switch
        {
            VxlanVerdict.Healthy => '.',
            VxlanVerdict.VxlanBlocked => 'B',
            VxlanVerdict.NodeUnreachable => 'U',
            VxlanVerdict.MtuBlackhole => 'M',
            VxlanVerdict.ChecksumOffload => 'C',
            VxlanVerdict.Misconfigured => '!',
            VxlanVerdict.HostFirewall => 'F',
            _ => Untested,
        };

        /// <summary>The legend's entries for the symbols this matrix shows, in the order of VxlanVerdict, then self.</summary>
        public static IReadOnlyList<(char Symbol, string Meaning)> Legend(VxlanMatrix matrix)
        {
            var legend = new List<(char, string)>();
            foreach (VxlanVerdict verdict in System.Enum.GetValues<VxlanVerdict>().Where(v => v != VxlanVerdict.NotTested))
            {
                if (matrix.Cells.Any(c => c.Verdict == verdict))
                {
                    legend.Add((For(verdict), verdict.ToString()));
                }
            }

            if (matrix.Cells.Any(c => c.IsUntested))
            {
                legend.Add((Untested, "not tested or no result"));
            }

            legend.Add((Self, "self"));
            return legend;
        }
    }
}
