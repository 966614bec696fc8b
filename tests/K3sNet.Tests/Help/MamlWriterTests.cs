using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    /// <summary>The MAML written for docs/Get-K3sPortMatrix.md, read back as XML.</summary>
    public sealed class MamlWriterTests
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        private static XElement WrittenPortMatrixCommand()
        {
            var diagnostics = new List<HelpDiagnostic>();
            CommandHelpDocument help = MarkdownHelpParser.ParseFile(HelpTestFiles.DocsPath("Get-K3sPortMatrix.md"), diagnostics);
            Assert.Empty(diagnostics);

            using var folder = new TemporaryFolder();
            string path = Path.Combine(folder.Path, "K3sNet.dll-Help.xml");
            MamlWriter.Write(path, new[] { help });

            XDocument document = XDocument.Load(path);
            Assert.Equal(Msh + "helpItems", document.Root!.Name);
            Assert.Equal("maml", (string?)document.Root.Attribute("schema"));
            return Assert.Single(document.Root.Elements(Command + "command"));
        }

        private static string ParameterName(XElement parameter) => parameter.Element(Maml + "name")!.Value;

        [Fact]
        public void The_command_declares_the_three_maml_namespaces()
        {
            XElement command = WrittenPortMatrixCommand();

            // Declared on command:command itself, as PlatyPS does, so each command element stands alone.
            Assert.Equal(Maml.NamespaceName, (string?)command.Attribute(XNamespace.Xmlns + "maml"));
            Assert.Equal(Command.NamespaceName, (string?)command.Attribute(XNamespace.Xmlns + "command"));
            Assert.Equal(Dev.NamespaceName, (string?)command.Attribute(XNamespace.Xmlns + "dev"));
            Assert.Equal(Msh.NamespaceName, (string?)command.Parent!.Attribute("xmlns"));
        }

        [Fact]
        public void Details_hold_name_verb_noun_and_synopsis()
        {
            XElement details = WrittenPortMatrixCommand().Element(Command + "details")!;

            Assert.Equal("Get-K3sPortMatrix", details.Element(Command + "name")!.Value);
            Assert.Equal("Get", details.Element(Command + "verb")!.Value);
            Assert.Equal("K3sPortMatrix", details.Element(Command + "noun")!.Value);
            Assert.Equal("Lists the inbound rules a k3s cluster needs between its nodes.", details.Element(Maml + "description")!.Element(Maml + "para")!.Value);
        }

        [Fact]
        public void The_description_has_one_para_per_paragraph()
        {
            XElement command = WrittenPortMatrixCommand();

            Assert.Equal(5, command.Element(Maml + "description")!.Elements(Maml + "para").Count());
        }

        [Fact]
        public void One_syntax_item_per_parameter_set_lists_its_parameters_in_syntax_order()
        {
            XElement[] syntaxItems = WrittenPortMatrixCommand().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToArray();

            Assert.Equal(2, syntaxItems.Length);
            Assert.All(syntaxItems, item => Assert.Equal("Get-K3sPortMatrix", item.Element(Maml + "name")!.Value));
            Assert.Equal(
                new[] { "Role", "FlannelBackend", "EmbeddedEtcd", "EmbeddedRegistry", "IPv6" },
                syntaxItems[0].Elements(Command + "parameter").Select(ParameterName));
            Assert.Equal(new[] { "Role", "Node" }, syntaxItems[1].Elements(Command + "parameter").Select(ParameterName));
        }

        [Fact]
        public void Switches_have_no_value_in_syntax_but_do_in_parameters()
        {
            XElement command = WrittenPortMatrixCommand();
            XElement[] inSyntax = command.Descendants(Command + "syntaxItem").First().Elements(Command + "parameter").ToArray();
            XElement[] inParameters = command.Element(Command + "parameters")!.Elements(Command + "parameter").ToArray();

            foreach (string name in new[] { "EmbeddedEtcd", "EmbeddedRegistry", "IPv6" })
            {
                Assert.Null(inSyntax.Single(p => ParameterName(p) == name).Element(Command + "parameterValue"));
                XElement value = inParameters.Single(p => ParameterName(p) == name).Element(Command + "parameterValue")!;
                Assert.Equal("SwitchParameter", value.Value);
                Assert.Equal("false", (string?)value.Attribute("required"));
            }

            XElement role = inSyntax.Single(p => ParameterName(p) == "Role");
            Assert.Equal("K3sRole", role.Element(Command + "parameterValue")!.Value);
            Assert.Equal("true", (string?)role.Element(Command + "parameterValue")!.Attribute("required"));
        }

        [Fact]
        public void Accepted_values_become_a_value_group_in_syntax_only()
        {
            XElement command = WrittenPortMatrixCommand();
            XElement roleInSyntax = command.Descendants(Command + "syntaxItem").First().Elements(Command + "parameter").Single(p => ParameterName(p) == "Role");
            XElement roleInParameters = command.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => ParameterName(p) == "Role");

            XElement[] values = roleInSyntax.Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").ToArray();
            Assert.Equal(new[] { "Server", "Agent" }, values.Select(v => v.Value));
            Assert.All(values, v => Assert.Equal("false", (string?)v.Attribute(Command + "variableLength")));
            Assert.Null(roleInParameters.Element(Command + "parameterValueGroup"));
        }

        [Fact]
        public void Parameter_attributes_come_from_the_yaml()
        {
            XElement[] parameters = WrittenPortMatrixCommand().Element(Command + "parameters")!.Elements(Command + "parameter").ToArray();

            Assert.Equal(new[] { "Role", "FlannelBackend", "EmbeddedEtcd", "EmbeddedRegistry", "IPv6", "Node" }, parameters.Select(ParameterName));
            XElement role = parameters[0];
            Assert.Equal("false", (string?)role.Attribute("required"));
            Assert.Equal("0", (string?)role.Attribute("position"));
            Assert.Equal("False", (string?)role.Attribute("pipelineInput"));
            Assert.Equal("false", (string?)role.Attribute("globbing"));
            Assert.Equal("none", (string?)role.Attribute("aliases"));
            Assert.Equal("named", (string?)parameters[1].Attribute("position"));
            Assert.Equal("Vxlan", parameters[1].Element(Dev + "defaultValue")!.Value);
            Assert.Equal("FlannelBackend", parameters[1].Element(Dev + "type")!.Element(Maml + "name")!.Value);
        }

        [Fact]
        public void Examples_have_framed_titles_code_and_remarks()
        {
            XElement[] examples = WrittenPortMatrixCommand().Element(Command + "examples")!.Elements(Command + "example").ToArray();

            Assert.Equal(5, examples.Length);
            Assert.Equal(
                "-------------------------- Example 1: The rules of a plain k3s cluster --------------------------",
                examples[0].Element(Maml + "title")!.Value);
            Assert.Equal("Get-K3sPortMatrix", examples[0].Element(Dev + "code")!.Value);
            string[] remarks = examples[2].Element(Dev + "remarks")!.Elements(Maml + "para").Select(p => p.Value).ToArray();
            Assert.Equal(2, remarks.Length);
            Assert.StartsWith("Tcp/6443 from Agents\nUdp/8472 from AllNodes\n", remarks[0]);
        }

        [Fact]
        public void Inputs_outputs_and_notes_are_written()
        {
            XElement command = WrittenPortMatrixCommand();

            Assert.Equal("K3sNet.K3sNode", command.Element(Command + "inputTypes")!.Element(Command + "inputType")!.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.Equal("K3sNet.PortRequirement", command.Element(Command + "returnValues")!.Element(Command + "returnValue")!.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.StartsWith("Local-only ports", command.Element(Maml + "alertSet")!.Element(Maml + "alert")!.Element(Maml + "para")!.Value);
        }

        [Fact]
        public void Related_links_start_with_the_online_version_and_relative_links_have_no_uri()
        {
            XElement[] links = WrittenPortMatrixCommand().Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").ToArray();

            Assert.Equal(
                new[]
                {
                    ("Online Version:", "https://github.com/k3snet/K3sNet/blob/main/docs/Get-K3sPortMatrix.md"),
                    ("Get-K3sNode", ""),
                    ("about_K3sNet", ""),
                    ("K3s networking requirements", "https://docs.k3s.io/installation/requirements#networking"),
                },
                links.Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value)));
        }

        [Fact]
        public void Markup_characters_and_quotes_are_escaped_and_round_trip()
        {
            const string synopsis = "Compares a < b && c > d, \"quoted\" and 'single'.";
            const string code = "Get-Sample | Where-Object { $_.Size -lt 3 -and $_.Name -ne \"<x>\" } 2>&1";
            string page = HelpTestFiles.SamplePage
                .Replace("Gets a sample.", synopsis, System.StringComparison.Ordinal)
                .Replace("Get-Sample -Name a", code, System.StringComparison.Ordinal)
                .Replace("Default value: None", "Default value: '<auto>' & \"x\"", System.StringComparison.Ordinal);
            var diagnostics = new List<HelpDiagnostic>();
            CommandHelpDocument help = MarkdownHelpParser.Parse("Get-Sample.md", page, diagnostics);
            Assert.Empty(diagnostics);

            string xml = MamlWriter.ToText(new[] { help });

            Assert.Contains("Compares a &lt; b &amp;&amp; c &gt; d", xml, System.StringComparison.Ordinal);
            Assert.DoesNotContain("a < b", xml, System.StringComparison.Ordinal);
            Assert.DoesNotContain("\"<x>\"", xml, System.StringComparison.Ordinal);
            XElement command = XDocument.Parse(xml).Root!.Element(Command + "command")!;
            Assert.Equal(synopsis, command.Element(Command + "details")!.Element(Maml + "description")!.Element(Maml + "para")!.Value);
            Assert.Equal(code, command.Descendants(Dev + "code").Single().Value);
            Assert.Equal("'<auto>' & \"x\"", command.Element(Command + "parameters")!.Elements(Command + "parameter").First().Element(Dev + "defaultValue")!.Value);
        }

        [Fact]
        public void A_page_without_notes_or_online_version_writes_neither()
        {
            var diagnostics = new List<HelpDiagnostic>();
            CommandHelpDocument help = MarkdownHelpParser.Parse("Get-Sample.md", HelpTestFiles.SamplePage, diagnostics);

            XElement command = XDocument.Parse(MamlWriter.ToText(new[] { help })).Root!.Element(Command + "command")!;

            Assert.Null(command.Element(Maml + "alertSet"));
            Assert.Equal(new[] { "about_K3sNet" }, command.Descendants(Maml + "linkText").Select(l => l.Value));
        }
    }
}
