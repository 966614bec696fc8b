using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Writes <see cref="CommandHelpDocument"/>s as the MAML file (<c>K3sNet.dll-Help.xml</c>) that Get-Help reads for a
    /// binary module's cmdlets, in the element shape PlatyPS 0.14's New-ExternalHelp produces. Built with XDocument so that
    /// every text is escaped by the XML stack, never by hand.
    /// </summary>
    public static class MamlWriter
    {
        public static readonly XNamespace HelpItems = "http://msh";
        public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        /// <summary>The link text PowerShell's own help uses for the page <c>Get-Help -Online</c> opens; it goes first.</summary>
        public const string OnlineVersionLinkText = "Online Version:";

        // LF everywhere and no BOM, so that the file is byte-identical whichever OS builds it.
        private static readonly XmlWriterSettings Settings = new()
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };

        public static XDocument ToXml(IEnumerable<CommandHelpDocument> commands)
        {
            ArgumentNullException.ThrowIfNull(commands);
            return new XDocument(
                new XDeclaration("1.0", "utf-8", null),
                new XElement(HelpItems + "helpItems",
                    new XAttribute("schema", "maml"),
                    commands.Select(CommandElement)));
        }

        public static void Write(string path, IEnumerable<CommandHelpDocument> commands)
        {
            ArgumentNullException.ThrowIfNull(path);
            using XmlWriter writer = XmlWriter.Create(path, Settings);
            ToXml(commands).Save(writer);
        }

        /// <summary>The exact text <see cref="Write"/> puts in the file.</summary>
        public static string ToText(IEnumerable<CommandHelpDocument> commands)
        {
            using var stream = new MemoryStream();
            using (XmlWriter writer = XmlWriter.Create(stream, Settings))
            {
                ToXml(commands).Save(writer);
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }

        private static XElement CommandElement(CommandHelpDocument command) =>
            new(Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "command", Command.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "dev", Dev.NamespaceName),
                new XElement(Command + "details",
                    new XElement(Command + "name", command.Name),
                    new XElement(Command + "verb", command.Verb),
                    new XElement(Command + "noun", command.Noun),
                    Description(command.Synopsis)),
                Description(command.Description),
                new XElement(Command + "syntax", command.ParameterSets.Select(set => SyntaxItem(command, set))),
                new XElement(Command + "parameters", command.Parameters.Select(p => Parameter(p, p.Primary, inSyntax: false))),
                new XElement(Command + "inputTypes", command.Inputs.Select(t => TypeEntry("inputType", t))),
                new XElement(Command + "returnValues", command.Outputs.Select(t => TypeEntry("returnValue", t))),
                command.Notes.Count == 0 ? null : new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
                new XElement(Command + "examples", command.Examples.Select(Example)),
                new XElement(Command + "relatedLinks", Links(command).Select(NavigationLink)));

        private static XElement SyntaxItem(CommandHelpDocument command, ParameterSetSyntax set) =>
            new(Command + "syntaxItem",
                new XElement(Maml + "name", command.Name),
                command.ParametersIn(set).Select(p => Parameter(p.Parameter, p.Metadata, inSyntax: true)));

        private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
        {
            string type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
            return new XElement(Command + "parameter",
                new XAttribute("required", Lower(metadata.Required)),
                new XAttribute("variableLength", "true"),
                new XAttribute("globbing", Lower(metadata.Globbing)),
                new XAttribute("pipelineInput", metadata.PipelineInput),
                new XAttribute("position", metadata.Position.ToLowerInvariant()),
                new XAttribute("aliases", metadata.Aliases.Count == 0 ? "none" : string.Join(", ", metadata.Aliases)),
                new XElement(Maml + "name", parameter.Name),
                Description(parameter.Description),

                // Get-Help builds the syntax line from these: the value group prints as {Server | Agent}, and a switch
                // in syntax must carry no value or it would print as "-IPv6 <SwitchParameter>".
                inSyntax && metadata.AcceptedValues.Count > 0
                    ? new XElement(Command + "parameterValueGroup",
                        metadata.AcceptedValues.Select(value => new XElement(Command + "parameterValue",
                            new XAttribute("required", "false"),
                            new XAttribute(Command + "variableLength", "false"),
                            value)))
                    : null,
                inSyntax && metadata.IsSwitch
                    ? null
                    : new XElement(Command + "parameterValue",
                        new XAttribute("required", Lower(!metadata.IsSwitch)),
                        new XAttribute("variableLength", "false"),
                        type),
                new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
                new XElement(Dev + "defaultValue", metadata.DefaultValue));
        }

        private static XElement TypeEntry(string elementName, TypeHelp type) =>
            new(Command + elementName,
                new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
                Description(type.Description));

        private static XElement Example(ExampleHelp example) =>
            new(Command + "example",
                new XElement(Maml + "title", ExampleTitle(example.Title)),
                new XElement(Dev + "code", example.Code),
                new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

        /// <summary>Get-Help prints the title as is; PowerShell's own help frames it in dashes, and so does PlatyPS.</summary>
        public static string ExampleTitle(string title)
        {
            ArgumentNullException.ThrowIfNull(title);
            string plain = InlineMarkdown.ToPlainText(title.Trim());
            return plain.StartsWith("---", StringComparison.Ordinal)
                ? plain
                : $"-------------------------- {plain} --------------------------";
        }

        private static IEnumerable<RelatedLink> Links(CommandHelpDocument command) =>
            command.OnlineVersion is null
                ? command.Links
                : command.Links.Prepend(new RelatedLink(OnlineVersionLinkText, command.OnlineVersion));

        private static XElement NavigationLink(RelatedLink link) =>
            new(Maml + "navigationLink",
                new XElement(Maml + "linkText", link.Text),
                new XElement(Maml + "uri", link.Uri));

        private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

        private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
            paragraphs.Select(p => new XElement(Maml + "para", p)).ToList();

        private static string Lower(bool value) => value ? "true" : "false";
    }
}
