using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Collects Test-K3sVxlan's results from every node and shows them as one node-by-node grid of verdicts: a
    /// VxlanMatrix object whose view draws the grid, or, for an incident ticket, Markdown or a Mermaid flowchart.
    /// Test-K3sPodNetwork's results make the sibling grid of what pods see (PodNetworkMatrix). Both kinds piped in
    /// together are kept apart: the VXLAN matrix first, then the pod network's, never one grid of both.
    /// </summary>
    [Cmdlet(VerbsCommon.Show, "K3sVxlanMatrix", DefaultParameterSetName = GridSet)]
    [OutputType(typeof(VxlanMatrix), typeof(PodNetworkMatrix), ParameterSetName = new[] { GridSet })]
    [OutputType(typeof(string), ParameterSetName = new[] { MarkdownSet, MermaidSet })]
    public sealed class ShowK3sVxlanMatrixCommand : PSCmdlet
    {
        public const string GridSet = "Grid";
        public const string MarkdownSet = "Markdown";
        public const string MermaidSet = "Mermaid";

        private readonly List<VxlanPathResult> _results = new();
        private readonly List<PodNetworkResult> _podResults = new();

        /// <summary>Results of Test-K3sVxlan or Test-K3sPodNetwork, or objects with their property names (from remoting, Import-Clixml, ConvertFrom-Json).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyCollection]
        public PSObject?[]? InputObject { get; set; }

        /// <summary>Writes the matrix as Markdown: the grid as a table, then every pair that is not Healthy with its reason.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MarkdownSet)]
        public SwitchParameter AsMarkdown { get; set; }

        /// <summary>Writes the matrix as a Mermaid flowchart in a ```mermaid fence: an arrow for each failed pair.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MermaidSet)]
        public SwitchParameter AsMermaid { get; set; }

        protected override void ProcessRecord()
        {
            foreach (PSObject? item in InputObject ?? Array.Empty<PSObject?>())
            {
                if (item is null)
                {
                    continue;
                }

                if (Matrix.PodNetworkResultInput.IsPodNetworkResult(item))
                {
                    PodNetworkResult? podResult = Matrix.PodNetworkResultInput.Read(item, out ErrorRecord? podError);
                    if (podResult is null)
                    {
                        WriteError(podError!);
                        continue;
                    }

                    _podResults.Add(podResult);
                    continue;
                }

                VxlanPathResult? result = VxlanPathResultInput.Read(item, out ErrorRecord? error);
                if (result is null)
                {
                    WriteError(error!);
                    continue;
                }

                _results.Add(result);
            }
        }

        protected override void EndProcessing()
        {
            // Like Format-Table, nothing in is nothing out: an empty matrix would only look like a healthy one.
            if (_results.Count == 0 && _podResults.Count == 0)
            {
                WriteVerbose("No VXLAN path or pod network result came in, so there is no matrix to show.");
                return;
            }

            if (_results.Count > 0 && _podResults.Count > 0)
            {
                WriteVerbose("Both Test-K3sVxlan and Test-K3sPodNetwork results came in: the VXLAN matrix comes first, then the pod network's.");
            }

            if (_results.Count > 0)
            {
                WriteVxlanMatrix();
            }

            if (_podResults.Count > 0)
            {
                WritePodNetworkMatrix();
            }
        }

        private void WritePodNetworkMatrix()
        {
            PodNetworkMatrix matrix = PodNetworkMatrix.FromResults(_podResults);
            WriteVerbose($"{_podResults.Count} pod network result(s) for {matrix.Nodes.Length} node(s): {matrix.PairCount} pod-to-pod pair(s), {matrix.OtherChecks.Length} other check(s).");
            WriteObject(ParameterSetName switch
            {
                MarkdownSet => matrix.ToMarkdown(),
                MermaidSet => matrix.ToMermaid(),
                _ => matrix,
            });
        }

        private void WriteVxlanMatrix()
        {
            VxlanMatrix matrix = VxlanMatrix.FromResults(_results);
            WriteVerbose($"{_results.Count} result(s) for {matrix.Nodes.Length} node(s): {matrix.PairCount} ordered pair(s), {matrix.UntestedPairs.Length} untested.");
            if (matrix.Replaced > 0)
            {
                WriteVerbose($"{matrix.Replaced} result(s) replaced an earlier result for the same pair: the last one piped in counts.");
            }

            switch (ParameterSetName)
            {
                case MarkdownSet:
                    WriteObject(matrix.ToMarkdown());
                    break;
                case MermaidSet:
                    WriteObject(matrix.ToMermaid());
                    break;
                default:
                    WriteObject(matrix);
                    break;
            }
        }
    }
}
