using System;
using System.Collections.Generic;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// The kubeconfig exists but cannot be used: the context asked for is not in it, it names no current context, it is
    /// empty or a directory, or it cannot be read or parsed. The message never quotes the file's content: it holds
    /// tokens and keys.
    /// </summary>
    internal sealed class ClusterConfigurationException : Exception
    {
        public ClusterConfigurationException(ClusterConfigurationProblem problem, string message, IReadOnlyList<string> knownContexts)
            : base(message)
        {
            Problem = problem;
            KnownContexts = knownContexts;
        }

        public ClusterConfigurationProblem Problem { get; }

        public IReadOnlyList<string> KnownContexts { get; }

        /// <summary>The file at fault, when one file is.</summary>
        public string? Path { get; init; }
    }

    /// <summary>Why a kubeconfig cannot be used.</summary>
    internal enum ClusterConfigurationProblem
    {
        ContextNotFound,
        NoCurrentContext,
        Unreadable,
        Invalid,

        /// <summary>No YAML document in it: 0 bytes, only whitespace and comments, or only "---".</summary>
        Empty,

        /// <summary>-Kubeconfig named a directory.</summary>
        IsDirectory,
    }
}
