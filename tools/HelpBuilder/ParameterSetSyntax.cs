using System;
using System.Collections.Generic;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// One parameter set as the SYNTAX section shows it. The syntax block decides the order Get-Help lists the set's
    /// parameters in, so the parameter names are kept in the order they appear there.
    /// </summary>
    public sealed record ParameterSetSyntax(string Name, bool IsDefault, string Syntax, IReadOnlyList<string> ParameterNames, int Line)
    {
        /// <summary>The name PowerShell gives the only set of a cmdlet that declares none; PlatyPS then writes no H3.</summary>
        public const string AllParameterSetsName = "__AllParameterSets";

        /// <summary>True for the single set of a SYNTAX section without <c>### SetName</c> headings.</summary>
        public bool IsUnnamed => string.Equals(Name, AllParameterSetsName, StringComparison.Ordinal);
    }
}
