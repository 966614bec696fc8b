namespace K3sNet.Vxlan
{
    /// <summary>What a verdict proves about the path, for the code that acts on verdicts (Grant-K3sNodeTraffic, the matrix).</summary>
    internal static class VxlanVerdictFacts
    {
        /// <summary>
        /// The echo came back through VXLAN, so UDP 8472 is open both ways between the two nodes, whatever else is wrong
        /// (full-size packets lost, a checksum offload bug): no security-group rule is missing on this path.
        /// </summary>
        public static bool CrossedBothWays(this VxlanVerdict verdict) =>
            verdict is VxlanVerdict.Healthy or VxlanVerdict.MtuBlackhole or VxlanVerdict.ChecksumOffload;
    }
}
