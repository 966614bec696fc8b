using System;
using System.IO;
using K3sNet.Kubernetes;

namespace K3sNet.Tests.Kubernetes
{
    /// <summary>Which kubeconfig files count as empty: those KubernetesClient reads as null and kubectl as nothing.</summary>
    public sealed class KubeconfigTextTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "k3snet-kubetext-" + Guid.NewGuid().ToString("N"));

        public KubeconfigTextTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        [Theory]
        [InlineData("", true)]
        [InlineData("  \n\t\n", true)]
        [InlineData("\r\n\r\n", true)]
        [InlineData("---", true)]
        [InlineData("---\n", true)]
        [InlineData("--- # written by an installer\n...\n", true)]
        [InlineData("# nothing yet\n---\n# still nothing\n", true)]
        [InlineData("\uFEFF---\n", true)]
        [InlineData("apiVersion: v1\n", false)]
        [InlineData("---\napiVersion: v1\n", false)]
        [InlineData("--- {}\n", false)]
        [InlineData("----\n", false)]
        public void A_file_is_empty_when_it_holds_only_whitespace_comments_and_document_markers(string text, bool empty)
        {
            Assert.Equal(empty, KubeconfigText.IsEmpty(text));
        }

        [Fact]
        public void The_machine_reads_real_files_a_zero_byte_one_a_marker_one_and_content_and_a_folder_is_not_an_empty_file()
        {
            var machine = new SystemKubeconfigEnvironment(_folder);
            string zero = Write("zero", string.Empty);
            string spaces = Write("spaces", "   \n\n");
            string marker = Write("marker", "---\n");
            string content = Write("content", "apiVersion: v1\nkind: Config\n");

            Assert.True(machine.IsEmptyFile(zero));
            Assert.True(machine.IsEmptyFile(spaces));
            Assert.True(machine.IsEmptyFile(marker));
            Assert.False(machine.IsEmptyFile(content));
            Assert.False(machine.IsEmptyFile(_folder));
            Assert.True(machine.DirectoryExists(_folder));
            Assert.False(machine.IsEmptyFile(Path.Combine(_folder, "missing")));
        }

        private string Write(string name, string text)
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllText(path, text);
            return path;
        }
    }
}
