using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace K3sNet.HelpBuilder
{
    /// <summary>
    /// Reads a PlatyPS 0.14 (schema 2.0.0) cmdlet page into a <see cref="CommandHelpDocument"/>, reporting every problem
    /// that would make the help wrong or empty as a <see cref="HelpDiagnostic"/>. It always returns a model, however broken
    /// the page, so that one run can report all the problems of all the pages.
    /// </summary>
    public sealed partial class MarkdownHelpParser
    {
        private const string Synopsis = "SYNOPSIS";
        private const string Syntax = "SYNTAX";
        private const string Description = "DESCRIPTION";
        private const string Examples = "EXAMPLES";
        private const string Parameters = "PARAMETERS";
        private const string Inputs = "INPUTS";
        private const string Outputs = "OUTPUTS";
        private const string Notes = "NOTES";
        private const string RelatedLinks = "RELATED LINKS";

        // The sections without which Get-Help shows a page with holes; NOTES and RELATED LINKS may be left out.
        private static readonly string[] RequiredSections = [Synopsis, Syntax, Description, Examples, Parameters, Inputs, Outputs];

        // Fence languages that hold an example's code. PlatyPS writes "powershell"; the others are its common spellings.
        private static readonly HashSet<string> PowerShellFences = new(StringComparer.OrdinalIgnoreCase) { "powershell", "pwsh", "ps", "ps1" };

        private readonly MarkdownDocument _document;
        private readonly ICollection<HelpDiagnostic> _diagnostics;

        private MarkdownHelpParser(MarkdownDocument document, ICollection<HelpDiagnostic> diagnostics)
        {
            _document = document;
            _diagnostics = diagnostics;
        }

        public static CommandHelpDocument ParseFile(string path, ICollection<HelpDiagnostic> diagnostics) =>
            Parse(MarkdownDocumentReader.ReadFile(path, diagnostics), diagnostics);

        public static CommandHelpDocument Parse(string path, string markdown, ICollection<HelpDiagnostic> diagnostics) =>
            Parse(MarkdownDocumentReader.Read(path, markdown, diagnostics), diagnostics);

        public static CommandHelpDocument Parse(MarkdownDocument document, ICollection<HelpDiagnostic> diagnostics)
        {
            ArgumentNullException.ThrowIfNull(document);
            ArgumentNullException.ThrowIfNull(diagnostics);
            return new MarkdownHelpParser(document, diagnostics).Parse();
        }

        private CommandHelpDocument Parse()
        {
            IReadOnlyList<MarkdownBlock> blocks = _document.Blocks;
            int titleIndex = blocks.ToList().FindIndex(b => b.IsHeading(1));
            MarkdownBlock? title = titleIndex < 0 ? null : blocks[titleIndex];
            int titleLine = title?.Line ?? 1;

            if (title is null)
            {
                Report(1, $"no '# {_document.FileStem}' heading: a cmdlet page starts with the cmdlet name as its H1");
            }
            else if (!string.Equals(title.Text, _document.FileStem, StringComparison.Ordinal))
            {
                Report(title.Line, $"the H1 '# {title.Text}' does not match the file name: expected '# {_document.FileStem}'");
            }

            ReportPlaceholders();

            Dictionary<string, Section> sections = SplitSections(blocks, titleIndex + 1);
            foreach (string name in RequiredSections.Where(s => !sections.ContainsKey(s)))
            {
                Report(titleLine, $"no '## {name}' section");
            }

            IReadOnlyList<ParameterSetSyntax> parameterSets = sections.TryGetValue(Syntax, out Section? syntax) ? ReadSyntax(syntax) : [];
            IReadOnlyList<ParameterHelp> parameters = sections.TryGetValue(Parameters, out Section? parameterSection) ? ReadParameters(parameterSection) : [];
            if (parameterSets.Count > 0 && parameterSection is not null)
            {
                CheckSyntaxAgainstParameters(parameterSets, parameters);
            }

            _document.FrontMatter.TryGetValue("online version", out string? onlineVersion);
            return new CommandHelpDocument
            {
                SourcePath = _document.Path,
                Name = title?.Text ?? _document.FileStem,
                OnlineVersion = string.IsNullOrWhiteSpace(onlineVersion) ? null : onlineVersion,
                Synopsis = ReadRequiredText(sections, Synopsis),
                Description = ReadRequiredText(sections, Description),
                ParameterSets = parameterSets,
                Parameters = parameters,
                Examples = sections.TryGetValue(Examples, out Section? examples) ? ReadExamples(examples) : [],
                Inputs = sections.TryGetValue(Inputs, out Section? inputs) ? ReadTypes(inputs) : [],
                Outputs = sections.TryGetValue(Outputs, out Section? outputs) ? ReadTypes(outputs) : [],
                Notes = sections.TryGetValue(Notes, out Section? notes) ? ToParagraphs(notes.Content) : [],
                Links = sections.TryGetValue(RelatedLinks, out Section? links) ? ReadLinks(links) : [],
            };
        }

        private Dictionary<string, Section> SplitSections(IReadOnlyList<MarkdownBlock> blocks, int start)
        {
            var sections = new Dictionary<string, Section>(StringComparer.OrdinalIgnoreCase);
            Section? current = null;
            for (int i = start; i < blocks.Count; i++)
            {
                MarkdownBlock block = blocks[i];
                if (block.IsHeading(1))
                {
                    Report(block.Line, $"a second H1 '# {block.Text}': a cmdlet page describes one cmdlet");
                    current = null;
                }
                else if (block.IsHeading(2))
                {
                    current = new Section(block);
                    if (!sections.TryAdd(block.Text.Trim(), current))
                    {
                        Report(block.Line, $"a second '## {block.Text}' section (the first is at line {sections[block.Text.Trim()].Heading.Line})");
                    }
                }
                else
                {
                    current?.Content.Add(block);
                }
            }

            return sections;
        }

        private IReadOnlyList<string> ReadRequiredText(Dictionary<string, Section> sections, string name)
        {
            if (!sections.TryGetValue(name, out Section? section))
            {
                return [];
            }

            IReadOnlyList<string> paragraphs = ToParagraphs(section.Content);
            if (paragraphs.Count == 0)
            {
                Report(section.Heading.Line, $"'## {name}' is empty");
            }

            return paragraphs;
        }

        private List<ParameterSetSyntax> ReadSyntax(Section section)
        {
            var sets = new List<ParameterSetSyntax>();
            bool named = section.Content.Any(b => b.IsHeading(3));
            MarkdownBlock? pendingHeading = null;
            foreach (MarkdownBlock block in section.Content)
            {
                if (block.IsHeading(3))
                {
                    if (pendingHeading is not null)
                    {
                        Report(pendingHeading.Line, $"parameter set '### {pendingHeading.Text}' has no syntax code block");
                    }

                    pendingHeading = block;
                }
                else if (block.Kind == MarkdownBlockKind.CodeBlock)
                {
                    if (named && pendingHeading is null)
                    {
                        Report(block.Line, "this syntax block has no '### ParameterSetName' heading above it, though other sets have one");
                        continue;
                    }

                    string name = ParameterSetSyntax.AllParameterSetsName;
                    bool isDefault = false;
                    if (pendingHeading is not null)
                    {
                        Match defaultSet = DefaultSetHeading().Match(pendingHeading.Text);
                        isDefault = defaultSet.Success;
                        name = isDefault ? defaultSet.Groups["name"].Value : pendingHeading.Text.Trim();
                    }

                    List<string> names = SyntaxParameter().Matches(block.Text)
                        .Select(m => m.Groups["name"].Value)
                        .Distinct(StringComparer.OrdinalIgnoreCase)
                        .ToList();
                    sets.Add(new ParameterSetSyntax(name, isDefault, block.Text, names, block.Line));
                    pendingHeading = null;
                }
            }

            if (pendingHeading is not null)
            {
                Report(pendingHeading.Line, $"parameter set '### {pendingHeading.Text}' has no syntax code block");
            }

            if (sets.Count == 0 && pendingHeading is null && !named)
            {
                Report(section.Heading.Line, "'## SYNTAX' has no syntax code block");
            }

            return sets;
        }

        private List<ParameterHelp> ReadParameters(Section section)
        {
            var parameters = new List<ParameterHelp>();
            var firstLines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach ((MarkdownBlock heading, List<MarkdownBlock> body) in section.Entries())
            {

                // CommonParameters (and the workflow flavour older PlatyPS wrote) is boilerplate about -Verbose and friends,
                // which PowerShell documents itself; it is not a parameter of this cmdlet.
                if (CommonParametersHeading().IsMatch(heading.Text))
                {
                    continue;
                }

                if (!heading.Text.StartsWith('-'))
                {
                    Report(heading.Line, $"parameter heading '### {heading.Text}' must be '### -{heading.Text}' (or '### CommonParameters')");
                    continue;
                }

                string name = heading.Text[1..].Trim();
                if (!firstLines.TryAdd(name, heading.Line))
                {
                    Report(heading.Line, $"parameter -{name} is described twice (first at line {firstLines[name]})");
                    continue;
                }

                var metadata = new List<ParameterMetadata>();
                var descriptionBlocks = new List<MarkdownBlock>();
                foreach (MarkdownBlock block in body)
                {
                    if (block.Kind == MarkdownBlockKind.CodeBlock && (block.Info == "yaml" || block.Info == "yml"))
                    {
                        metadata.Add(ReadParameterYaml(name, block));
                    }
                    else
                    {
                        descriptionBlocks.Add(block);
                    }
                }

                IReadOnlyList<string> description = ToParagraphs(descriptionBlocks);
                if (description.Count == 0)
                {
                    Report(heading.Line, $"parameter -{name} has no description");
                }

                if (metadata.Count == 0)
                {
                    Report(heading.Line, $"parameter -{name} has no ```yaml block (Type, Parameter Sets, Required, Position...)");
                }

                parameters.Add(new ParameterHelp { Name = name, Description = description, Metadata = metadata, Line = heading.Line });
            }

            return parameters;
        }

        private ParameterMetadata ReadParameterYaml(string parameterName, MarkdownBlock block)
        {
            var values = new Dictionary<string, (string Value, int Line)>(StringComparer.OrdinalIgnoreCase);
            for (int k = 0; k < block.Lines.Count; k++)
            {
                string line = block.Lines[k];
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && !line.TrimStart().StartsWith('#'))
                {
                    // The opening fence is block.Line, so content line k is block.Line + 1 + k.
                    values[line[..colon].Trim()] = (line[(colon + 1)..].Trim(), block.Line + 1 + k);
                }
            }

            string Text(string key, string fallback) =>
                values.TryGetValue(key, out var entry) && entry.Value.Length > 0 ? entry.Value : fallback;

            string Required(string key)
            {
                if (values.TryGetValue(key, out var entry) && entry.Value.Length > 0)
                {
                    return entry.Value;
                }

                Report(block.Line, $"the yaml of -{parameterName} has no '{key}:' value");
                return string.Empty;
            }

            bool Flag(string key)
            {
                if (!values.TryGetValue(key, out var entry) || entry.Value.Length == 0)
                {
                    return false;
                }

                if (bool.TryParse(entry.Value, out bool flag))
                {
                    return flag;
                }

                Report(entry.Line, $"'{key}: {entry.Value}' of -{parameterName} must be True or False");
                return false;
            }

            string position = Text("Position", "Named");
            if (!string.Equals(position, "Named", StringComparison.OrdinalIgnoreCase)
                && !int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                Report(values["Position"].Line, $"'Position: {position}' of -{parameterName} must be a number or Named");
            }

            string type = Required("Type");
            string sets = Required("Parameter Sets");
            return new ParameterMetadata
            {
                Type = type.Length == 0 ? "Object" : type,
                ParameterSets = sets.Length == 0 ? [ParameterMetadata.AllSets] : SplitList(sets),
                Aliases = SplitList(Text("Aliases", string.Empty)),
                AcceptedValues = SplitList(Text("Accepted values", string.Empty)),
                Required = Flag("Required"),
                Position = position,
                DefaultValue = Text("Default value", "None"),
                PipelineInput = Text("Accept pipeline input", "False"),
                Globbing = Flag("Accept wildcard characters"),
                Line = block.Line,
                ParameterSetsLine = values.TryGetValue("Parameter Sets", out var setsEntry) ? setsEntry.Line : block.Line,
            };
        }

        /// <summary>
        /// The syntax blocks and the yaml must agree on who belongs where: Get-Help takes membership from the yaml and order
        /// from the syntax block, so any disagreement would silently drop or misplace a parameter.
        /// </summary>
        private void CheckSyntaxAgainstParameters(IReadOnlyList<ParameterSetSyntax> sets, IReadOnlyList<ParameterHelp> parameters)
        {
            var known = parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            bool named = sets.All(s => !s.IsUnnamed);
            if (named)
            {
                var setNames = new HashSet<string>(sets.Select(s => s.Name), StringComparer.OrdinalIgnoreCase);
                foreach (ParameterHelp parameter in parameters)
                {
                    foreach (ParameterMetadata metadata in parameter.Metadata)
                    {
                        foreach (string set in metadata.ParameterSets.Where(s => s != ParameterMetadata.AllSets && !setNames.Contains(s)))
                        {
                            Report(metadata.ParameterSetsLine, $"-{parameter.Name} names parameter set '{set}', which SYNTAX does not have (it has: {string.Join(", ", setNames)})");
                        }
                    }
                }
            }

            foreach (ParameterSetSyntax set in sets)
            {
                string where = set.IsUnnamed ? "the syntax block" : $"the syntax block of set '{set.Name}'";
                foreach (string name in set.ParameterNames)
                {
                    if (!known.TryGetValue(name, out ParameterHelp? parameter))
                    {
                        Report(set.Line, $"{where} lists -{name}, which has no '### -{name}' under PARAMETERS");
                    }
                    else if (parameter.Metadata.Count > 0 && parameter.MetadataFor(set) is null)
                    {
                        Report(set.Line, $"{where} lists -{name}, but the yaml 'Parameter Sets' of -{name} does not include '{set.Name}'");
                    }
                }

                foreach (ParameterHelp parameter in parameters.Where(p => p.Metadata.Count > 0 && p.MetadataFor(set) is not null))
                {
                    if (!set.ParameterNames.Contains(parameter.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        Report(set.Line, $"-{parameter.Name} belongs to {(set.IsUnnamed ? "the only parameter set" : $"set '{set.Name}'")} by its yaml, but {where} does not list it");
                    }
                }
            }
        }

        private List<ExampleHelp> ReadExamples(Section section)
        {
            var examples = new List<ExampleHelp>();
            foreach ((MarkdownBlock heading, List<MarkdownBlock> body) in section.Entries())
            {
                var code = new List<string>();
                var remarks = new List<string>();
                foreach (MarkdownBlock block in body)
                {
                    if (block.Kind == MarkdownBlockKind.CodeBlock && PowerShellFences.Contains(block.Info))
                    {
                        code.Add(block.Text);
                    }
                    else
                    {
                        // Output blocks and other code stay verbatim; an empty ```output block (a placeholder PlatyPS
                        // users leave when the output is not worth showing) adds nothing.
                        remarks.AddRange(ToParagraphs([block]));
                    }
                }

                if (code.Count == 0)
                {
                    Report(heading.Line, $"example '### {heading.Text}' has no ```powershell code block");
                }

                examples.Add(new ExampleHelp(heading.Text, string.Join("\n\n", code), remarks, heading.Line));
            }

            if (examples.Count == 0)
            {
                Report(section.Heading.Line, "'## EXAMPLES' has no '### Example 1: ...' heading with a ```powershell code block");
            }

            return examples;
        }

        private List<TypeHelp> ReadTypes(Section section)
        {
            var types = new List<TypeHelp>();
            foreach ((MarkdownBlock heading, List<MarkdownBlock> body) in section.Entries())
            {

                types.Add(new TypeHelp(InlineMarkdown.ToPlainText(heading.Text), ToParagraphs(body)));
            }

            if (types.Count == 0)
            {
                string name = section.Heading.Text.Trim().ToUpperInvariant();
                Report(section.Heading.Line, $"'## {name}' has no '### TypeName' entry (write '### None' when there is nothing to say)");
            }

            return types;
        }

        private static List<RelatedLink> ReadLinks(Section section)
        {
            var links = new List<RelatedLink>();
            foreach (MarkdownBlock block in section.Content.Where(b => b.Kind == MarkdownBlockKind.Paragraph))
            {
                IReadOnlyList<(string Text, string Uri)> found = InlineMarkdown.Links(block.Text);
                if (found.Count == 0)
                {
                    // A bare name ("about_K3sNet") is still a pointer Get-Help can show.
                    links.Add(new RelatedLink(InlineMarkdown.ToPlainText(string.Join(' ', block.Lines.Select(l => l.Trim()))), string.Empty));
                    continue;
                }

                foreach ((string text, string uri) in found)
                {
                    links.Add(new RelatedLink(text, InlineMarkdown.IsAbsoluteUri(uri) ? uri : string.Empty));
                }
            }

            return links;
        }

        /// <summary>Paragraphs become plain text; code blocks stay verbatim, as one paragraph each.</summary>
        private static List<string> ToParagraphs(IEnumerable<MarkdownBlock> blocks)
        {
            var paragraphs = new List<string>();
            foreach (MarkdownBlock block in blocks)
            {
                switch (block.Kind)
                {
                    case MarkdownBlockKind.Paragraph:
                        paragraphs.AddRange(InlineMarkdown.ToParagraphs(block.Lines));
                        break;
                    case MarkdownBlockKind.CodeBlock when block.Text.Trim().Length > 0:
                        paragraphs.Add(block.Text);
                        break;
                    case MarkdownBlockKind.Heading:
                        paragraphs.Add(InlineMarkdown.ToPlainText(block.Text));
                        break;
                }
            }

            return paragraphs;
        }

        /// <summary>New-MarkdownHelp fills every gap with <c>{{ Fill X Description }}</c>; shipping one is never intended.</summary>
        private void ReportPlaceholders()
        {
            foreach (MarkdownBlock block in _document.Blocks)
            {
                IReadOnlyList<string> lines = block.Kind == MarkdownBlockKind.Heading ? [block.Text] : block.Lines;
                int first = block.Kind == MarkdownBlockKind.CodeBlock ? block.Line + 1 : block.Line;
                for (int k = 0; k < lines.Count; k++)
                {
                    Match placeholder = Placeholder().Match(lines[k]);
                    if (placeholder.Success)
                    {
                        Report(first + k, $"PlatyPS placeholder '{placeholder.Value}' left in the page");
                    }
                }
            }
        }

        private static List<string> SplitList(string value) =>
            value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        private void Report(int line, string message) => _diagnostics.Add(new HelpDiagnostic(_document.Path, line, message));

        /// <summary>A <c>##</c> heading and the blocks under it, up to the next <c>##</c>.</summary>
        private sealed class Section(MarkdownBlock heading)
        {
            public MarkdownBlock Heading { get; } = heading;

            public List<MarkdownBlock> Content { get; } = [];

            /// <summary>Each <c>###</c> heading with the blocks under it; blocks before the first one belong to none.</summary>
            public IEnumerable<(MarkdownBlock Heading, List<MarkdownBlock> Body)> Entries()
            {
                int i = 0;
                while (i < Content.Count)
                {
                    MarkdownBlock heading = Content[i++];
                    if (!heading.IsHeading(3))
                    {
                        continue;
                    }

                    var body = new List<MarkdownBlock>();
                    while (i < Content.Count && !Content[i].IsHeading(3))
                    {
                        body.Add(Content[i++]);
                    }

                    yield return (heading, body);
                }
            }
        }

        // "-Name" after a space or '[' in a syntax block; the cmdlet name's own dash follows a letter, so it never matches.
        [GeneratedRegex(@"(?<=[\s\[])-(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
        private static partial Regex SyntaxParameter();

        [GeneratedRegex(@"^(?<name>.+?)\s*\(Default\)$", RegexOptions.IgnoreCase)]
        private static partial Regex DefaultSetHeading();

        [GeneratedRegex(@"^(Workflow)?CommonParameters$", RegexOptions.IgnoreCase)]
        private static partial Regex CommonParametersHeading();

        [GeneratedRegex(@"\{\{\s*(?:Fill|Add)\b[^}]*\}\}", RegexOptions.IgnoreCase)]
        private static partial Regex Placeholder();
    }
}
