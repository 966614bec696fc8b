using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    /// <summary>A cmdlet with two parameter sets, one parameter in both with different yaml per set.</summary>
    public sealed class ParameterSetTests
    {
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";

        // -Path is mandatory and positional in ByPath but optional and named in ByName: PlatyPS writes two yaml blocks.
        // PARAMETERS lists Name, Path, Force; the syntax blocks list them in other orders on purpose.
        private const string Page = """
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

            ### ByName (Default)
            ```
            Get-Sample [-Force] [-Name] <String> [-Path <String>] [<CommonParameters>]
            ```

            ### ByPath
            ```
            Get-Sample [-Path] <String> [-Force] [<CommonParameters>]
            ```

            ## DESCRIPTION
            Gets a sample by name or by path.

            ## EXAMPLES

            ### Example 1: By path
            ```powershell
            Get-Sample ./a
            ```

            ## PARAMETERS

            ### -Name
            The name.

            ```yaml
            Type: String
            Parameter Sets: ByName
            Aliases:

            Required: True
            Position: 0
            Default value: None
            Accept pipeline input: False
            Accept wildcard characters: True
            ```

            ### -Path
            The path.

            ```yaml
            Type: String
            Parameter Sets: ByPath
            Aliases: PSPath, FullName

            Required: True
            Position: 0
            Default value: None
            Accept pipeline input: True (ByPropertyName)
            Accept wildcard characters: False
            ```

            ```yaml
            Type: String
            Parameter Sets: ByName
            Aliases: PSPath, FullName

            Required: False
            Position: Named
            Default value: None
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ### -Force
            Even hidden ones.

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

            ## INPUTS

            ### System.String
            A path.

            ## OUTPUTS

            ### System.Object
            The sample.
            """;

        private static CommandHelpDocument Parse(string page, out List<HelpDiagnostic> diagnostics)
        {
            diagnostics = new List<HelpDiagnostic>();
            return MarkdownHelpParser.Parse("Get-Sample.md", page, diagnostics);
        }

        private static XElement[] SyntaxItems()
        {
            CommandHelpDocument help = Parse(Page, out List<HelpDiagnostic> diagnostics);
            Assert.Empty(diagnostics);
            return XDocument.Parse(MamlWriter.ToText(new[] { help })).Descendants(Command + "syntaxItem").ToArray();
        }

        private static XElement Member(XElement syntaxItem, string name) =>
            syntaxItem.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);

        [Fact]
        public void Set_names_come_from_the_H3s_without_the_default_marker()
        {
            CommandHelpDocument help = Parse(Page, out _);

            Assert.Equal(new[] { ("ByName", true), ("ByPath", false) }, help.ParameterSets.Select(s => (s.Name, s.IsDefault)));
        }

        [Fact]
        public void Each_set_becomes_a_syntax_item_with_its_members_in_syntax_order()
        {
            XElement[] items = SyntaxItems();

            Assert.Equal(2, items.Length);
            Assert.Equal(new[] { "Force", "Name", "Path" }, items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
            Assert.Equal(new[] { "Path", "Force" }, items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        }

        [Fact]
        public void A_parameter_takes_the_yaml_block_of_each_set()
        {
            XElement[] items = SyntaxItems();

            XElement pathByName = Member(items[0], "Path");
            Assert.Equal("false", (string?)pathByName.Attribute("required"));
            Assert.Equal("named", (string?)pathByName.Attribute("position"));
            Assert.Equal("False", (string?)pathByName.Attribute("pipelineInput"));

            XElement pathByPath = Member(items[1], "Path");
            Assert.Equal("true", (string?)pathByPath.Attribute("required"));
            Assert.Equal("0", (string?)pathByPath.Attribute("position"));
            Assert.Equal("True (ByPropertyName)", (string?)pathByPath.Attribute("pipelineInput"));
            Assert.Equal("PSPath, FullName", (string?)pathByPath.Attribute("aliases"));
            Assert.Equal("true", (string?)Member(items[0], "Name").Attribute("globbing"));
        }

        [Fact]
        public void The_parameters_section_lists_each_parameter_once_in_page_order()
        {
            CommandHelpDocument help = Parse(Page, out _);

            XElement parameters = XDocument.Parse(MamlWriter.ToText(new[] { help })).Descendants(Command + "parameters").Single();

            Assert.Equal(new[] { "Name", "Path", "Force" }, parameters.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        }

        [Fact]
        public void A_yaml_set_name_the_syntax_does_not_have_is_reported_on_the_yaml_block()
        {
            string[] lines = Page.Split('\n');
            int force = System.Array.IndexOf(lines, "### -Force");
            int sets = System.Array.IndexOf(lines, "Parameter Sets: (All)", force);
            lines[sets] = "Parameter Sets: ByNmae";
            string page = string.Join('\n', lines);

            Parse(page, out List<HelpDiagnostic> diagnostics);

            Assert.Contains(diagnostics, d => d.Line == sets + 1 && d.Message.Contains("'ByNmae', which SYNTAX does not have", System.StringComparison.Ordinal));
        }

        [Fact]
        public void A_syntax_block_that_lists_a_parameter_outside_its_set_is_reported()
        {
            string page = Page.Replace("Get-Sample [-Path] <String> [-Force]", "Get-Sample [-Path] <String> [-Name <String>] [-Force]", System.StringComparison.Ordinal);

            Parse(page, out List<HelpDiagnostic> diagnostics);

            HelpDiagnostic diagnostic = Assert.Single(diagnostics);
            Assert.Equal(HelpTestFiles.LineOf(page, "### ByPath") + 1, diagnostic.Line);
            Assert.Contains("does not include 'ByPath'", diagnostic.Message, System.StringComparison.Ordinal);
        }
    }
}
