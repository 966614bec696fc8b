using System;

namespace K3sNet
{
    /// <summary>The exception inside every ErrorRecord K3sNet writes; its message already says what to do.</summary>
    public sealed class K3sNetException : Exception
    {
        public K3sNetException(string message)
            : base(message)
        {
        }

        public K3sNetException(string message, Exception? innerException)
            : base(message, innerException)
        {
        }
    }
}
