namespace K3sNet.Firewall
{
    /// <summary>One run of a node tool: its output when it succeeded, else why not, and whether it is missing altogether.</summary>
    internal readonly record struct HostToolRun(string? Output, string? Failure, bool NotInstalled);
}
