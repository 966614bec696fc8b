using System;
using System.Collections.Generic;
using System.Globalization;

namespace K3sNet.Firewall
{
    /// <summary>
    /// The rule lines of `nft -a list ruleset` by table, chain and handle: nft's own translation of the xtables
    /// matches and targets that iptables-nft writes and that its JSON leaves opaque.
    /// </summary>
    internal static class NftListing
    {
        private const string HandleMarker = " # handle ";

        /// <summary>Keyed by ("family table", chain, handle); the line without its handle comment.</summary>
        public static IReadOnlyDictionary<(string, string, int), string> RuleLines(string? listing)
        {
            var lines = new Dictionary<(string, string, int), string>();
            if (string.IsNullOrEmpty(listing))
            {
                return lines;
            }

            string? table = null;
            string? chain = null;
            foreach (string raw in listing.Split('\n'))
            {
                string line = raw.Trim();
                string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 3 && words[0] == "table")
                {
                    table = words[1] + " " + words[2];
                    chain = null;
                    continue;
                }

                if (words.Length >= 2 && words[0] == "chain")
                {
                    chain = words[1];
                    continue;
                }

                if (words.Length >= 1 && words[0] is "set" or "map" or "flowtable" or "counter" or "quota" or "ct" && line.EndsWith('{') || line.Contains("{ # handle", StringComparison.Ordinal) && words[0] != "chain")
                {
                    chain = null;
                    continue;
                }

                int marker = line.LastIndexOf(HandleMarker, StringComparison.Ordinal);
                if (table is null || chain is null || marker < 0
                    || !int.TryParse(line[(marker + HandleMarker.Length)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int handle))
                {
                    continue;
                }

                lines[(table, chain, handle)] = line[..marker].TrimEnd();
            }

            return lines;
        }
    }
}
