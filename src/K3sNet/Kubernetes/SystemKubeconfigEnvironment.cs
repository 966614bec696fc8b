using System;
using System.IO;

namespace K3sNet.Kubernetes
{
    /// <summary>The real machine, with PowerShell's current folder (which is not the process's).</summary>
    internal sealed class SystemKubeconfigEnvironment : IKubeconfigEnvironment
    {
        public SystemKubeconfigEnvironment(string currentDirectory) => CurrentDirectory = currentDirectory;

        public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

        public bool FileExists(string path) => File.Exists(path);

        public string? HomeDirectory
        {
            get
            {
                string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                return string.IsNullOrEmpty(home) ? Environment.GetEnvironmentVariable("HOME") : home;
            }
        }

        public string CurrentDirectory { get; }

        public char PathListSeparator => Path.PathSeparator;
    }
}
