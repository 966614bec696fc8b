using System;
using System.IO;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// The build's stand-in for PlatyPS's New-ExternalHelp. Exit codes: 0 help written, 1 the docs have problems (each
    /// printed as path:line: message), 2 the command line is wrong.
    /// </summary>
    public static class Program
    {
        public const int Success = 0;
        public const int InvalidDocs = 1;
        public const int UsageError = 2;

        public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            ArgumentNullException.ThrowIfNull(args);
            ArgumentNullException.ThrowIfNull(output);
            ArgumentNullException.ThrowIfNull(error);

            if (args.Length == 1 && args[0] is "--help" or "-h" or "-?")
            {
                output.WriteLine(CommandLineOptions.Usage);
                return Success;
            }

            CommandLineOptions? options = CommandLineOptions.Parse(args, out string? problem);
            if (options is null)
            {
                error.WriteLine($"K3sNet.HelpBuilder: {problem}");
                error.WriteLine(CommandLineOptions.Usage);
                return UsageError;
            }

            HelpBuildResult result = HelpBuild.Run(options.DocsDirectory, options.OutputDirectory, options.AssemblyName);
            if (!result.Succeeded)
            {
                foreach (HelpDiagnostic diagnostic in result.Diagnostics)
                {
                    error.WriteLine(diagnostic.ToString());
                }

                error.WriteLine($"K3sNet.HelpBuilder: {result.Diagnostics.Count} problem(s) in {options.DocsDirectory}; no help was written.");
                return InvalidDocs;
            }

            foreach (string path in result.WrittenFiles)
            {
                output.WriteLine($"wrote {path}");
            }

            return Success;
        }
    }
}
