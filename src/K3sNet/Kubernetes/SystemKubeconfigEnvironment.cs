using System;
using System.IO;

namespace K3sNet.Kubernetes
{
    /// <summary>The real machine, with PowerShell's current folder (which is not the process's).</summary>
    internal sealed class SystemKubeconfigEnvironment : IKubeconfigEnvironment
    {
        public SystemKubeconfigEnvironment(string currentDirectory) => CurrentDirectory = currentDirectory;

        public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

        /// <summary>Larger than any kubeconfig of comments alone: such a file is not read to look for content.</summary>
        private const long LargestEmptyKubeconfig = 64 * 1024;

        public bool FileExists(string path) => File.Exists(path);

        public bool DirectoryExists(string path) => Directory.Exists(path);

        public bool IsEmptyFile(string path)
        {
            try
            {
                var file = new FileInfo(path);
                if (!file.Exists || file.Length > LargestEmptyKubeconfig)
                {
                    return false;
                }

                return file.Length == 0 || KubeconfigText.IsEmpty(File.ReadAllText(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

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
