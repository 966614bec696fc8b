using K3sNet.HelpBuilder;

namespace K3sNet.Tests.Help
{
    public sealed class InlineMarkdownTests
    {
        [Theory]
        [InlineData("The `Get-Foo` cmdlet", "The Get-Foo cmdlet")]
        [InlineData("**bold**, *em* and _em_", "bold, em and em")]
        [InlineData("about_K3sNet and __AllParameterSets stay", "about_K3sNet and __AllParameterSets stay")]
        [InlineData("`**not bold**` and `a_b_c`", "**not bold** and a_b_c")]
        [InlineData("``a `tick` b``", "a `tick` b")]
        [InlineData(@"\*literal\* and \`tick\`", "*literal* and `tick`")]
        [InlineData("5 * 3 * 2", "5 * 3 * 2")]
        [InlineData("see [the docs](https://docs.k3s.io/x) or [about_K3sNet](about_K3sNet.md)", "see the docs (https://docs.k3s.io/x) or about_K3sNet")]
        [InlineData("a < b & \"c\"", "a < b & \"c\"")]
        [InlineData("- an item with `code`", "- an item with code")]
        [InlineData("  indented *em*", "  indented em")]
        [InlineData("[a *b*](https://k3s.io/x \"title\") and ![alt text](image.png)", "a b (https://k3s.io/x) and alt text")]
        [InlineData("<https://docs.k3s.io> &amp; <user@example.com>", "https://docs.k3s.io &amp; <user@example.com>")]
        public void Inline_markup_is_stripped_to_plain_text(string markdown, string expected)
        {
            Assert.Equal(expected, InlineMarkdown.ToPlainText(markdown));
        }

        [Fact]
        public void Wrapped_lines_join_with_one_space_and_list_items_stay_apart()
        {
            string[] lines = { "First line", "  second line.", "- item one", "  continued", "- item two" };

            Assert.Equal(new[] { "First line second line.", "- item one continued", "- item two" }, InlineMarkdown.ToParagraphs(lines));
        }
    }
}
