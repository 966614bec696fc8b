using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// The node agent's request lines and answer headers (see <see cref="NodeAgentScript"/>). Every word of a request
    /// is checked here, on K3sNet's side, against a character set the agent's shell gives no meaning to: a node name,
    /// an address or a path from anywhere can never become shell syntax on the node.
    /// </summary>
    internal static class NodeAgentRequest
    {
        /// <summary>The punctuation a word may hold besides letters and digits.</summary>
        public const string AllowedPunctuation = "._:/=,-";

        /// <summary>Throws ArgumentException unless <paramref name="word"/> is non-empty and only letters, digits and <see cref="AllowedPunctuation"/>.</summary>
        public static void Validate(string word, string parameterName)
        {
            ArgumentNullException.ThrowIfNull(word, parameterName);
            if (word.Length == 0)
            {
                throw new ArgumentException("The node agent takes no empty words.", parameterName);
            }

            foreach (char c in word)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || AllowedPunctuation.Contains(c, StringComparison.Ordinal)))
                {
                    throw new ArgumentException(
                        $"'{word}' cannot be sent to the node agent: only letters, digits and '{AllowedPunctuation}' are allowed, so that nothing is interpreted by the node's shell.",
                        parameterName);
                }
            }
        }

        /// <summary>The line that asks the agent to run <paramref name="tool"/>, after validating every word.</summary>
        public static string Line(long id, string tool, IReadOnlyList<string> arguments)
        {
            Validate(tool, nameof(tool));
            var line = new StringBuilder(id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(tool);
            foreach (string argument in arguments)
            {
                Validate(argument, nameof(arguments));
                line.Append(' ').Append(argument);
            }

            return line.Append('\n').ToString();
        }

        /// <summary>The line that stops a running request's tool (its answer still comes, and is dropped).</summary>
        public static string KillLine(long id) => FormattableString.Invariant($"kill {id}\n");

        public const string ExitLine = "exit\n";

        /// <summary>Parses `K3SNET &lt;id&gt; &lt;rc&gt; &lt;stdout-bytes&gt; &lt;stderr-bytes&gt;`; null when the line is not one.</summary>
        public static AgentAnswerHeader? ParseHeader(string line)
        {
            string[] words = line.Split(' ');
            if (words.Length != 5 || words[0] != NodeAgentScript.AnswerMark
                || !long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out long id)
                || !int.TryParse(words[3], NumberStyles.None, CultureInfo.InvariantCulture, out int outputBytes)
                || !int.TryParse(words[4], NumberStyles.None, CultureInfo.InvariantCulture, out int errorBytes))
            {
                return null;
            }

            if (words[2] == NodeAgentScript.NotFound)
            {
                return new AgentAnswerHeader(id, null, outputBytes, errorBytes);
            }

            return int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out int rc)
                ? new AgentAnswerHeader(id, rc, outputBytes, errorBytes)
                : null;
        }
    }

    /// <summary>One answer's header: the request, the tool's exit status (null: the tool is not on the node) and the sizes that follow.</summary>
    internal readonly record struct AgentAnswerHeader(long Id, int? ExitCode, int OutputBytes, int ErrorBytes);
}
