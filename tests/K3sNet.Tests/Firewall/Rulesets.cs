using System;
using System.IO;
using System.Net;
using K3sNet.Firewall;

namespace K3sNet.Tests.Firewall
{
    /// <summary>The captured rulesets (Fixtures/Capture-Rulesets.ps1) and the packet classes node-a judges for its peer node-b.</summary>
    internal static class Rulesets
    {
        public static readonly PacketClass VxlanFromNodeB =
            HostPacketClasses.VxlanIn("eth0", IPAddress.Parse("10.0.1.11"), IPAddress.Parse("10.0.1.10"), "node-b", 8472);

        public static readonly PacketClass PodsToNodeB =
            HostPacketClasses.PodsOut(IPAddress.Parse("10.42.0.2"), IPAddress.Parse("10.42.1.2"), "node-b", "flannel.1");

        public static readonly PacketClass PodsFromNodeB =
            HostPacketClasses.PodsIn(IPAddress.Parse("10.42.1.2"), IPAddress.Parse("10.42.0.2"), "node-b", "flannel.1");

        public static string Text(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Firewall", "Fixtures", file));

        /// <summary>What `nft -j list ruleset` and `nft -a list ruleset` printed for the fixture.</summary>
        public static FirewallRuleset Nft(string name, bool withListing = true) =>
            NftJson.Read(Text(name + ".json"), withListing ? Text(name + ".listing") : null);
    }
}
