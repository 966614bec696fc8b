using System.Collections.Generic;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// One example. <see cref="Remarks"/> holds, in page order, the <c>output</c> blocks verbatim and the explanation
    /// paragraphs as plain text: Get-Help shows both under the code.
    /// </summary>
    public sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks, int Line);
}
