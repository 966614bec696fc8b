using System;

namespace K3sNet.Kubernetes
{
    /// <summary>What K3sNet can tell from a kubeconfig's text before parsing it.</summary>
    internal static class KubeconfigText
    {
        /// <summary>
        /// True when the text holds no YAML content: 0 bytes, only whitespace, comments and document markers ("---",
        /// "..."). kubectl reads such a file as an empty configuration and goes on; KubernetesClient reads it as null.
        /// </summary>
        public static bool IsEmpty(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            foreach (string raw in text.Split('\n'))
            {
                string line = raw.Trim().TrimStart('\uFEFF');
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                // A document marker may carry a comment after it ("--- # k3s"), nothing else.
                if ((line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal))
                    && (line.Length == 3 || (char.IsWhiteSpace(line[3]) && line.Substring(3).TrimStart().StartsWith('#'))))
                {
                    continue;
                }

                return false;
            }

            return true;
        }
    }
}
