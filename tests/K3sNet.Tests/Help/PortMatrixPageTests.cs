using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    /// <summary>The real docs/Get-K3sPortMatrix.md, read the way the build reads it.</summary>
    public sealed class PortMatrixPageTests
    {
        private static CommandHelpDocument Parse(out List<HelpDiagnostic> diagnostics)
        {
            diagnostics = new List<HelpDiagnostic>();
            return MarkdownHelpParser.ParseFile(HelpTestFiles.DocsPath("Get-K3sPortMatrix.md"), diagnostics);
        }

        [Fact]
        public void The_page_parses_without_problems()
        {
            CommandHelpDocument help = Parse(out List<HelpDiagnostic> diagnostics);

            Assert.Empty(diagnostics);
            Assert.Equal("Get-K3sPortMatrix", help.Name);
            Assert.Equal("Get", help.Verb);
            Assert.Equal("K3sPortMatrix", help.Noun);
        }

        [Fact]
        public void The_synopsis_is_the_one_sentence_under_SYNOPSIS()
        {
            CommandHelpDocument help = Parse(out _);

            Assert.Equal(new[] { "Lists the inbound rules a k3s cluster needs between its nodes." }, help.Synopsis);
        }

        [Fact]
        public void Description_paragraphs_are_joined_lines_without_backticks()
        {
            CommandHelpDocument help = Parse(out _);

            Assert.Equal(5, help.Description.Count);
            Assert.StartsWith(
                "The Get-K3sPortMatrix cmdlet emits one PortRequirement object for each inbound rule that the k3s documentation (\"Inbound Rules",
                help.Description[0]);
            Assert.DoesNotContain(help.Description, p => p.Contains('`') || p.Contains('\n'));
        }

        [Fact]
        public void There_are_six_parameters_and_CommonParameters_is_not_one_of_them()
        {
            CommandHelpDocument help = Parse(out _);

            Assert.Equal(new[] { "Role", "FlannelBackend", "EmbeddedEtcd", "EmbeddedRegistry", "IPv6", "Node" }, help.Parameters.Select(p => p.Name));
        }

        [Fact]
        public void Role_is_positional_with_its_accepted_values()
        {
            ParameterMetadata role = Parse(out _).Parameters.Single(p => p.Name == "Role").Primary;

            Assert.Equal("K3sRole", role.Type);
            Assert.Equal("0", role.Position);
            Assert.False(role.Required);
            Assert.Equal(new[] { "Server", "Agent" }, role.AcceptedValues);
            Assert.Empty(role.Aliases);
            Assert.Equal("None", role.DefaultValue);
        }

        [Fact]
        public void FlannelBackend_is_named_defaults_to_Vxlan_and_accepts_four_values()
        {
            ParameterMetadata backend = Parse(out _).Parameters.Single(p => p.Name == "FlannelBackend").Primary;

            Assert.Equal("FlannelBackend", backend.Type);
            Assert.Equal("Named", backend.Position);
            Assert.Equal("Vxlan", backend.DefaultValue);
            Assert.Equal(new[] { "Vxlan", "HostGw", "WireguardNative", "None" }, backend.AcceptedValues);
            Assert.Equal("False", backend.PipelineInput);
        }

        [Theory]
        [InlineData("EmbeddedEtcd")]
        [InlineData("EmbeddedRegistry")]
        [InlineData("IPv6")]
        public void The_switches_are_SwitchParameters(string name)
        {
            ParameterMetadata metadata = Parse(out _).Parameters.Single(p => p.Name == name).Primary;

            Assert.Equal("SwitchParameter", metadata.Type);
            Assert.True(metadata.IsSwitch);
            Assert.Equal("Named", metadata.Position);
        }

        [Fact]
        public void The_examples_have_the_powershell_block_as_code()
        {
            CommandHelpDocument help = Parse(out _);

            Assert.Equal(
                new[]
                {
                    "Get-K3sPortMatrix",
                    "Get-K3sPortMatrix -Role Agent -EmbeddedEtcd -FlannelBackend wireguard-native -IPv6",
                    "Get-K3sPortMatrix -EmbeddedRegistry | ForEach-Object { '{0}/{1} from {2}' -f $_.Protocol, $_.Port, $_.Source }",
                    "Get-K3sPortMatrix -EmbeddedEtcd | Where-Object ClusterOnly | Select-Object Protocol, Port, Purpose",
                    "$nodes = @(\n"
                    + "    [K3sNet.K3sNode]@{ Name = 'server-1'; IsServer = $true; Roles = 'control-plane', 'etcd', 'master'; FlannelBackend = 'WireguardNative' }\n"
                    + "    [K3sNet.K3sNode]@{ Name = 'agent-1'; FlannelBackend = 'WireguardNative'; InternalIPv6 = 'fd00:10::21' }\n"
                    + ")\n"
                    + "$nodes | Get-K3sPortMatrix | Format-Table Protocol, Port, Source, Destination, IPFamily",
                },
                help.Examples.Select(e => e.Code));
            Assert.Equal("Example 1: The rules of a plain k3s cluster", help.Examples[0].Title);
        }

        [Fact]
        public void Each_output_block_comes_first_in_its_remarks_verbatim()
        {
            CommandHelpDocument help = Parse(out _);
            string[] lines = File.ReadAllLines(HelpTestFiles.DocsPath("Get-K3sPortMatrix.md"));

            for (int n = 0; n < help.Examples.Count; n++)
            {
                // The output block as the file has it, found without the parser under test.
                int heading = Array.FindIndex(lines, l => l.StartsWith($"### Example {n + 1}:", StringComparison.Ordinal));
                int next = Array.FindIndex(lines, heading + 1, l => l.StartsWith("##", StringComparison.Ordinal));
                int open = Array.FindIndex(lines, heading, (next < 0 ? lines.Length : next) - heading, l => l == "```output");
                if (open < 0)
                {
                    continue;
                }

                int close = Array.FindIndex(lines, open + 1, l => l == "```");
                string output = string.Join('\n', lines[(open + 1)..close]);
                if (output.Length > 0)
                {
                    Assert.Equal(output, help.Examples[n].Remarks[0]);
                }

                Assert.DoesNotContain('`', help.Examples[n].Remarks[^1]);
            }

            Assert.StartsWith("A plain install needs three rules", help.Examples[0].Remarks[^1], StringComparison.Ordinal);
        }

        [Fact]
        public void Inputs_outputs_notes_and_links_are_read()
        {
            CommandHelpDocument help = Parse(out _);

            Assert.Equal("K3sNet.K3sNode", Assert.Single(help.Inputs).TypeName);
            Assert.Equal("K3sNet.PortRequirement", Assert.Single(help.Outputs).TypeName);
            Assert.StartsWith("Local-only ports", Assert.Single(help.Notes));
            Assert.Equal(
                new[]
                {
                    new RelatedLink("Get-K3sNode", ""),
                    new RelatedLink("about_K3sNet", ""),
                    new RelatedLink("K3s networking requirements", "https://docs.k3s.io/installation/requirements#networking"),
                },
                help.Links);
            Assert.Equal("https://github.com/k3snet/K3sNet/blob/main/docs/Get-K3sPortMatrix.md", help.OnlineVersion);
        }

        [Fact]
        public void The_two_parameter_sets_are_named_the_first_is_the_default_and_each_lists_its_parameters_in_syntax_order()
        {
            IReadOnlyList<ParameterSetSyntax> sets = Parse(out _).ParameterSets;

            Assert.Equal(new[] { ("Described", true), ("Nodes", false) }, sets.Select(s => (s.Name, s.IsDefault)));
            Assert.Equal(new[] { "Role", "FlannelBackend", "EmbeddedEtcd", "EmbeddedRegistry", "IPv6" }, sets[0].ParameterNames);
            Assert.Equal(new[] { "Role", "Node" }, sets[1].ParameterNames);
        }

        [Fact]
        public void The_repository_docs_folder_builds()
        {
            using var output = new TemporaryFolder();

            HelpBuildResult result = HelpBuild.Run(System.IO.Path.Combine(HelpTestFiles.RepositoryRoot(), "docs"), output.Path);

            Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
            Assert.Contains(System.IO.Path.Combine(output.Path, "K3sNet.dll-Help.xml"), result.WrittenFiles);
        }
    }
}
