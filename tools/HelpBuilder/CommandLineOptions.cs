using System;
using System.Collections.Generic;
using System.IO;

namespace K3sNet.HelpBuilder
{
    /// <summary>The parsed command line: <c>--docs &lt;dir&gt; --out &lt;dir&gt; [--assembly K3sNet.dll]</c>.</summary>
    public sealed class CommandLineOptions
    {
        public const string Usage =
            "usage: K3sNet.HelpBuilder --docs <docsDir> --out <outDir> [--assembly K3sNet.dll]\n" +
            "  Writes <outDir>/<assembly>-Help.xml from the PlatyPS cmdlet pages in <docsDir>\n" +
            "  and <outDir>/about_*.help.txt from its about_*.md topics.";

        private CommandLineOptions(string docsDirectory, string outputDirectory, string assemblyName)
        {
            DocsDirectory = docsDirectory;
            OutputDirectory = outputDirectory;
            AssemblyName = assemblyName;
        }

        public string DocsDirectory { get; }

        public string OutputDirectory { get; }

        public string AssemblyName { get; }

        /// <summary>Returns the options, or null with <paramref name="error"/> saying what is wrong with the arguments.</summary>
        public static CommandLineOptions? Parse(IReadOnlyList<string> args, out string? error)
        {
            ArgumentNullException.ThrowIfNull(args);
            string? docs = null;
            string? output = null;
            string assembly = HelpBuild.DefaultAssemblyName;
            for (int i = 0; i < args.Count; i++)
            {
                string name = args[i];
                if (name is not ("--docs" or "--out" or "--assembly"))
                {
                    error = $"unknown argument '{name}'";
                    return null;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"{name} needs a value";
                    return null;
                }

                string value = args[++i];
                switch (name)
                {
                    case "--docs":
                        docs = value;
                        break;
                    case "--out":
                        output = value;
                        break;
                    default:
                        assembly = value;
                        break;
                }
            }

            if (docs is null || output is null)
            {
                error = docs is null ? "--docs is required" : "--out is required";
                return null;
            }

            if (!Directory.Exists(docs))
            {
                error = $"--docs '{docs}' is not a directory";
                return null;
            }

            // The assembly name becomes part of a file name in <outDir>; a path here would write somewhere else.
            if (assembly.Length == 0 || assembly.IndexOfAny(['/', '\\']) >= 0 || assembly.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                error = $"--assembly '{assembly}' must be a file name such as K3sNet.dll";
                return null;
            }

            error = null;
            return new CommandLineOptions(docs, output, assembly);
        }
    }
}
