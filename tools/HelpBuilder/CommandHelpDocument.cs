using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// A cmdlet's help as one PlatyPS page describes it, with the markdown already reduced to plain-text paragraphs.
    /// This is what <see cref="MamlWriter"/> turns into a <c>command:command</c> element.
    /// </summary>
    public sealed class CommandHelpDocument
    {
        public required string SourcePath { get; init; }

        public required string Name { get; init; }

        /// <summary>The <c>online version</c> front matter: the page <c>Get-Help -Online</c> opens. Null when absent.</summary>
        public string? OnlineVersion { get; init; }

        public IReadOnlyList<string> Synopsis { get; init; } = [];

        public IReadOnlyList<string> Description { get; init; } = [];

        public IReadOnlyList<ParameterSetSyntax> ParameterSets { get; init; } = [];

        /// <summary>In PARAMETERS order; never contains CommonParameters.</summary>
        public IReadOnlyList<ParameterHelp> Parameters { get; init; } = [];

        public IReadOnlyList<ExampleHelp> Examples { get; init; } = [];

        public IReadOnlyList<TypeHelp> Inputs { get; init; } = [];

        public IReadOnlyList<TypeHelp> Outputs { get; init; } = [];

        public IReadOnlyList<string> Notes { get; init; } = [];

        public IReadOnlyList<RelatedLink> Links { get; init; } = [];

        public string Verb => Name.Split('-', 2)[0];

        public string Noun => Name.Contains('-', StringComparison.Ordinal) ? Name.Split('-', 2)[1] : string.Empty;

        /// <summary>
        /// The parameters of one set, in the order its syntax block lists them. Membership comes from each parameter's yaml
        /// <c>Parameter Sets</c>; a member the syntax block forgot goes last, in PARAMETERS order, rather than disappearing.
        /// </summary>
        public IReadOnlyList<(ParameterHelp Parameter, ParameterMetadata Metadata)> ParametersIn(ParameterSetSyntax set)
        {
            ArgumentNullException.ThrowIfNull(set);
            return Parameters
                .Select((parameter, index) => (parameter, index, metadata: parameter.MetadataFor(set)))
                .Where(p => p.metadata is not null)
                .OrderBy(p => SyntaxIndex(set, p.parameter.Name))
                .ThenBy(p => p.index)
                .Select(p => (p.parameter, p.metadata!))
                .ToList();
        }

        private static int SyntaxIndex(ParameterSetSyntax set, string parameterName)
        {
            for (int i = 0; i < set.ParameterNames.Count; i++)
            {
                if (string.Equals(set.ParameterNames[i], parameterName, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return int.MaxValue;
        }
    }
}
