using System.Collections.Generic;

namespace K3sNet.HelpBuilder
{
    /// <summary>One entry under INPUTS or OUTPUTS: a type name (<c>None</c> included) and what it means for this cmdlet.</summary>
    public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);
}
