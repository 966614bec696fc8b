using System;
using System.Text.RegularExpressions;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// The kernel bug that corrupts the checksums of VXLAN-encapsulated UDP when flannel.1 has tx checksum offload on
    /// (flannel#1279, k3s#2013, kubernetes#88986): every kernel before 5.7 except the stable releases that took the
    /// fix, 5.6.13, 5.4.41, 4.19.123 and 4.14.181 and later in those lines. (RHEL 8 backports are judged by the same
    /// numbers, so a regressed RHEL kernel is reported as affected, which is what its users see.)
    /// </summary>
    internal static class ChecksumOffloadBug
    {
        // At most 9 digits a part, so every part parses as an int; a longer run is no kernel version.
        private static readonly Regex Release = new(@"^(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(?!\d)", RegexOptions.CultureInvariant);

        /// <summary>True for an affected release, false for a fixed one, null when the release string is not a version.</summary>
        public static bool? IsAffected(string? kernelRelease)
        {
            Match match = Release.Match(kernelRelease ?? string.Empty);
            if (!match.Success)
            {
                return null;
            }

            int major = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int minor = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            int patch = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var version = new Version(major, minor);
            if (version >= new Version(5, 7))
            {
                return false;
            }

            int? fixedPatch = (major, minor) switch
            {
                (5, 6) => 13,
                (5, 4) => 41,
                (4, 19) => 123,
                (4, 14) => 181,
                _ => null,
            };
            return fixedPatch is null || patch < fixedPatch;
        }
    }
}
