namespace K3sNet.ClusterProbes
{
    /// <summary>What a run of Test-K3sVxlan on every node reports, as it comes, for the cmdlet to write on the pipeline thread.</summary>
    internal abstract record VxlanFleetEvent(string Node);

    /// <summary>One path judged from <paramref name="Node"/> (or NotTested, and why).</summary>
    internal sealed record VxlanFleetResult(string Node, VxlanPathResult Result) : VxlanFleetEvent(Node);

    /// <summary>What the node's tester noted on the way (verbose).</summary>
    internal sealed record VxlanFleetNote(string Node, string Text) : VxlanFleetEvent(Node);

    /// <summary>The node has finished: every one of its peers has a result.</summary>
    internal sealed record VxlanFleetNodeDone(string Node, int Results) : VxlanFleetEvent(Node);
}
