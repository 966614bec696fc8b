using System;
using System.IO;
using System.Linq;

namespace K3sNet.Tests.Help
{
    /// <summary>Where the repository is, and small markdown pages the help builder tests write and break.</summary>
    internal static class HelpTestFiles
    {
        /// <summary>The folder holding K3sNet.sln, found by walking up from the test binaries.</summary>
        public static string RepositoryRoot()
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "K3sNet.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"no K3sNet.sln above {AppContext.BaseDirectory}");
        }

        public static string DocsPath(string fileName) => Path.Combine(RepositoryRoot(), "docs", fileName);

        /// <summary>1-based number of the first line whose trimmed text is <paramref name="line"/>.</summary>
        public static int LineOf(string markdown, string line)
        {
            string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            int index = Array.FindIndex(lines, l => l.Trim() == line);
            if (index < 0)
            {
                throw new ArgumentException($"'{line}' is not a line of the page");
            }

            return index + 1;
        }

        /// <summary>Removes a <c>## Name</c> heading and everything under it up to the next <c>##</c> heading.</summary>
        public static string WithoutSection(string markdown, string section)
        {
            string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            int start = Array.FindIndex(lines, l => l == "## " + section);
            if (start < 0)
            {
                throw new ArgumentException($"no '## {section}' in the page");
            }

            int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
            return string.Join('\n', lines.Take(start).Concat(end < 0 ? [] : lines.Skip(end)));
        }

        /// <summary>A complete, valid cmdlet page for <c>Get-Sample</c>: one parameter set, a positional string and a switch.</summary>
        public const string SamplePage = """
            ---
            external help file: K3sNet.dll-Help.xml
            Module Name: K3sNet
            online version:
            schema: 2.0.0
            ---

            # Get-Sample

            ## SYNOPSIS
            Gets a sample.

            ## SYNTAX

            ```
            Get-Sample [[-Name] <String>] [-Force] [<CommonParameters>]
            ```

            ## DESCRIPTION
            Gets a sample for the tests.

            ## EXAMPLES

            ### Example 1: Get one sample
            ```powershell
            Get-Sample -Name a
            ```

            Gets the sample named a.

            ## PARAMETERS

            ### -Name
            The name of the sample.

            ```yaml
            Type: String
            Parameter Sets: (All)
            Aliases:

            Required: False
            Position: 0
            Default value: None
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ### -Force
            Gets the sample even when it is hidden.

            ```yaml
            Type: SwitchParameter
            Parameter Sets: (All)
            Aliases:

            Required: False
            Position: Named
            Default value: False
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ### CommonParameters
            This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction,
            -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable, -Verbose, -WarningAction, and -WarningVariable.

            ## INPUTS

            ### None
            You cannot pipe objects to this cmdlet.

            ## OUTPUTS

            ### System.String
            The sample.

            ## NOTES

            ## RELATED LINKS

            [about_K3sNet](about_K3sNet.md)
            """;
    }
}
