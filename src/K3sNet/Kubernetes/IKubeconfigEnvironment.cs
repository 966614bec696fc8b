namespace K3sNet.Kubernetes
{
    /// <summary>What the kubeconfig search reads from the machine: variables, files, the home folder.</summary>
    internal interface IKubeconfigEnvironment
    {
        string? GetVariable(string name);

        bool FileExists(string path);

        string? HomeDirectory { get; }

        /// <summary>Where relative paths in KUBECONFIG start: the shell's current folder.</summary>
        string CurrentDirectory { get; }

        /// <summary>The separator between KUBECONFIG entries: ':' on Linux and macOS, ';' on Windows.</summary>
        char PathListSeparator { get; }
    }
}
