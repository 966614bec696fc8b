using System;
using System.Collections.Generic;
using System.Text.Json;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// The k3s command line a node runs with, from the <c>k3s.io/node-args</c> annotation: a JSON array of argv, first
    /// the subcommand (<c>server</c> or <c>agent</c>), secrets already masked by k3s.
    /// </summary>
    internal sealed class NodeArgs
    {
        private readonly IReadOnlyList<string> _args;

        private NodeArgs(IReadOnlyList<string> args) => _args = args;

        /// <summary>The parsed arguments, or null when the annotation is absent or not a JSON array of strings.</summary>
        public static NodeArgs? Parse(string? annotation)
        {
            if (string.IsNullOrWhiteSpace(annotation))
            {
                return null;
            }

            try
            {
                string[]? args = JsonSerializer.Deserialize<string[]>(annotation);
                return args is null ? null : new NodeArgs(args);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary><c>server</c> or <c>agent</c>.</summary>
        public string? Subcommand => _args.Count > 0 ? _args[0] : null;

        /// <summary>
        /// True when a boolean flag is on: <c>--flag</c>, <c>--flag=true</c>; false for <c>--flag=false</c> or when
        /// absent. The last occurrence wins, as in k3s's own flag parsing.
        /// </summary>
        public bool HasFlag(string flag)
        {
            bool on = false;
            foreach (string arg in _args)
            {
                if (string.Equals(arg, flag, StringComparison.Ordinal))
                {
                    on = true;
                }
                else if (arg.StartsWith(flag + "=", StringComparison.Ordinal))
                {
                    on = !string.Equals(arg.Substring(flag.Length + 1), "false", StringComparison.OrdinalIgnoreCase);
                }
            }

            return on;
        }

        /// <summary>
        /// The value of an option given as <c>--name value</c> or <c>--name=value</c> (any of <paramref name="names"/>,
        /// such as <c>--data-dir</c> and <c>-d</c>); null when absent. The last occurrence wins, as in k3s's own flag parsing.
        /// </summary>
        public string? ValueOf(params string[] names)
        {
            string? value = null;
            for (int i = 0; i < _args.Count; i++)
            {
                foreach (string name in names)
                {
                    if (string.Equals(_args[i], name, StringComparison.Ordinal) && i + 1 < _args.Count)
                    {
                        value = _args[i + 1];
                    }
                    else if (_args[i].StartsWith(name + "=", StringComparison.Ordinal))
                    {
                        value = _args[i].Substring(name.Length + 1);
                    }
                }
            }

            return value;
        }
    }
}
