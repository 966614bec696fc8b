using System;
using System.Collections.Generic;
using System.Text.Json;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Reads the JSON that iproute2 prints (`ip -j -d link`, `ip -j addr`, `ip -j neigh`, `bridge -j fdb`, `ip -j route`).
    /// K3sNet reads flannel's state through iproute2 rather than speaking rtnetlink itself: every k3s node has
    /// iproute2, its JSON is stable across versions, and these pure parsers are unit-tested against its real output,
    /// where a netlink decoder would be a second, untested copy of what iproute2 already gets right.
    /// Malformed input yields nothing rather than throwing.
    /// </summary>
    internal static class IpJson
    {
        public static FlannelDevice? ReadDevice(string json)
        {
            foreach (JsonElement link in Items(json))
            {
                string? name = Text(link, "ifname");
                if (name is null)
                {
                    continue;
                }

                int? vni = null, port = null;
                string? local = null, lower = null;
                bool learning = false;
                if (link.TryGetProperty("linkinfo", out JsonElement info)
                    && info.ValueKind == JsonValueKind.Object
                    && Text(info, "info_kind") == "vxlan"
                    && info.TryGetProperty("info_data", out JsonElement data)
                    && data.ValueKind == JsonValueKind.Object)
                {
                    vni = Number(data, "id");
                    port = Number(data, "port");
                    local = Text(data, "local");
                    lower = Text(data, "link");
                    learning = data.TryGetProperty("learning", out JsonElement l) && l.ValueKind == JsonValueKind.True;
                }
                else
                {
                    return new FlannelDevice(name, Text(link, "address")?.ToLowerInvariant(), Number(link, "mtu") ?? 0, null, null, null, null, false);
                }

                return new FlannelDevice(name, Text(link, "address")?.ToLowerInvariant(), Number(link, "mtu") ?? 0, vni, port, local, lower, learning);
            }

            return null;
        }

        /// <summary>The MTU of the first link in `ip -j link show dev X`.</summary>
        public static int? ReadMtu(string json)
        {
            foreach (JsonElement link in Items(json))
            {
                return Number(link, "mtu");
            }

            return null;
        }

        /// <summary>The names of the links in `ip -j link show`.</summary>
        public static IReadOnlyList<string> ReadLinkNames(string json)
        {
            var names = new List<string>();
            foreach (JsonElement link in Items(json))
            {
                if (Text(link, "ifname") is string name)
                {
                    names.Add(name);
                }
            }

            return names;
        }

        /// <summary>
        /// The first link in `ip -j -4 addr show dev X`: its name, whether it is UP, and its IPv4 addresses as
        /// "address/prefix"; null when the output names no link.
        /// </summary>
        public static (string Name, bool Up, IReadOnlyList<string> Addresses)? ReadAddresses(string json)
        {
            foreach (JsonElement link in Items(json))
            {
                string? name = Text(link, "ifname");
                if (name is null)
                {
                    continue;
                }

                var addresses = new List<string>();
                if (link.TryGetProperty("addr_info", out JsonElement info) && info.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement a in info.EnumerateArray())
                    {
                        if (a.ValueKind == JsonValueKind.Object && Text(a, "family") == "inet" && Text(a, "local") is string local && Number(a, "prefixlen") is int length)
                        {
                            addresses.Add(FormattableString.Invariant($"{local}/{length}"));
                        }
                    }
                }

                return (name, HasFlag(link, "flags", "UP"), addresses);
            }

            return null;
        }

        public static IReadOnlyList<NeighbourEntry> ReadNeighbours(string json)
        {
            var entries = new List<NeighbourEntry>();
            foreach (JsonElement item in Items(json))
            {
                string? address = Text(item, "dst");
                if (address is null)
                {
                    continue;
                }

                string? state = item.TryGetProperty("state", out JsonElement s) && s.ValueKind == JsonValueKind.Array && s.GetArrayLength() > 0
                    && s[0].ValueKind == JsonValueKind.String
                    ? s[0].GetString()
                    : null;
                entries.Add(new NeighbourEntry(address, Text(item, "lladdr")?.ToLowerInvariant(), state));
            }

            return entries;
        }

        public static IReadOnlyList<FdbEntry> ReadFdb(string json)
        {
            var entries = new List<FdbEntry>();
            foreach (JsonElement item in Items(json))
            {
                string? mac = Text(item, "mac");
                if (mac is null)
                {
                    continue;
                }

                bool self = HasFlag(item, "flags", "self");
                bool permanent = string.Equals(Text(item, "state"), "permanent", StringComparison.Ordinal);
                entries.Add(new FdbEntry(mac.ToLowerInvariant(), Text(item, "dst"), self, permanent));
            }

            return entries;
        }

        public static IReadOnlyList<RouteEntry> ReadRoutes(string json)
        {
            var entries = new List<RouteEntry>();
            foreach (JsonElement item in Items(json))
            {
                string? destination = Text(item, "dst");
                if (destination is null)
                {
                    continue;
                }

                entries.Add(new RouteEntry(destination, Text(item, "gateway"), Text(item, "dev"), HasFlag(item, "flags", "onlink")));
            }

            return entries;
        }

        private static IEnumerable<JsonElement> Items(string json)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
            }
            catch (JsonException)
            {
                yield break;
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    yield break;
                }

                foreach (JsonElement item in document.RootElement.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        yield return item;
                    }
                }
            }
        }

        private static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static int? Number(JsonElement element, string name) =>
            element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) ? n : null;

        private static bool HasFlag(JsonElement element, string name, string flag)
        {
            if (!element.TryGetProperty(name, out JsonElement flags) || flags.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (JsonElement f in flags.EnumerateArray())
            {
                if (f.ValueKind == JsonValueKind.String && f.GetString() == flag)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
