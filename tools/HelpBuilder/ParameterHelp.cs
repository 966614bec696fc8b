using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.HelpBuilder
{
    /// <summary>One <c>### -Name</c> entry of PARAMETERS: its description and one or more yaml blocks.</summary>
    public sealed class ParameterHelp
    {
        public required string Name { get; init; }

        public required IReadOnlyList<string> Description { get; init; }

        public required IReadOnlyList<ParameterMetadata> Metadata { get; init; }

        /// <summary>Line of the <c>### -Name</c> heading.</summary>
        public int Line { get; init; }

        /// <summary>
        /// The first yaml block: what the PARAMETERS section of the help shows, where a parameter appears once whatever its
        /// sets. A parameter without yaml (already a diagnostic) reads as an optional named Object so that the model stays usable.
        /// </summary>
        public ParameterMetadata Primary => Metadata.Count > 0
            ? Metadata[0]
            : new ParameterMetadata { Type = "Object", ParameterSets = [ParameterMetadata.AllSets] };

        /// <summary>The yaml block that describes this parameter in <paramref name="set"/>, or null when it is not a member.</summary>
        public ParameterMetadata? MetadataFor(ParameterSetSyntax set)
        {
            ArgumentNullException.ThrowIfNull(set);

            // With one unnamed set there is nothing to choose between: PlatyPS may still name the set in the yaml.
            if (set.IsUnnamed)
            {
                return Primary;
            }

            return Metadata.FirstOrDefault(m => m.AppliesTo(set.Name));
        }
    }
}
