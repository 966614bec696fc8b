namespace K3sNet.Kubernetes
{
    /// <summary>What the kubeconfig search reads from the machine: variables, files, the home folder.</summary>
    internal interface IKubeconfigEnvironment
    {
        string? GetVariable(string name);

        bool FileExists(string path);

        bool DirectoryExists(string path);

        /// <summary>
        /// True when the file holds no YAML content (<see cref="KubeconfigText.IsEmpty"/>); false when it has content or
        /// cannot be read (the loader then says why).
        /// </summary>
        bool IsEmptyFile(string path);

        string? HomeDirectory { get; }

        /// <summary>Where relative paths in KUBECONFIG start: the shell's current folder.</summary>
        string CurrentDirectory { get; }

        /// <summary>The separator between KUBECONFIG entries: ':' on Linux and macOS, ';' on Windows.</summary>
        char PathListSeparator { get; }
    }
}
