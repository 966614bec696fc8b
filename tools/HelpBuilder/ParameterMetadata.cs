using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// What one <c>```yaml</c> block under a <c>### -Name</c> heading says. PlatyPS writes a parameter with several yaml
    /// blocks when it is, say, mandatory and positional in one set but optional in another; each block names its sets.
    /// </summary>
    public sealed class ParameterMetadata
    {
        /// <summary>What PlatyPS writes in <c>Parameter Sets</c> for a parameter that belongs to every set.</summary>
        public const string AllSets = "(All)";

        public required string Type { get; init; }

        public required IReadOnlyList<string> ParameterSets { get; init; }

        public IReadOnlyList<string> Aliases { get; init; } = [];

        public IReadOnlyList<string> AcceptedValues { get; init; } = [];

        public bool Required { get; init; }

        /// <summary>A number, or <c>Named</c>, as written.</summary>
        public string Position { get; init; } = "Named";

        public string DefaultValue { get; init; } = "None";

        /// <summary>Verbatim: <c>False</c>, <c>True (ByValue)</c>, <c>True (ByPropertyName)</c>...</summary>
        public string PipelineInput { get; init; } = "False";

        public bool Globbing { get; init; }

        /// <summary>Line of the opening <c>```yaml</c> fence.</summary>
        public int Line { get; init; }

        /// <summary>Line of <c>Parameter Sets:</c>, where a misspelt set name is reported.</summary>
        public int ParameterSetsLine { get; init; }

        /// <summary>Switches take no value, so Get-Help's syntax line must not show one.</summary>
        public bool IsSwitch =>
            string.Equals(Type, "SwitchParameter", StringComparison.OrdinalIgnoreCase)
            || string.Equals(Type, "Switch", StringComparison.OrdinalIgnoreCase);

        public bool AppliesToAllSets => ParameterSets.Any(s => string.Equals(s, AllSets, StringComparison.OrdinalIgnoreCase));

        public bool AppliesTo(string parameterSetName) =>
            AppliesToAllSets || ParameterSets.Any(s => string.Equals(s, parameterSetName, StringComparison.OrdinalIgnoreCase));
    }
}
