using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using K3sNet.Hosting;

namespace K3sNet.Tests.Hosting
{
    public sealed class DependencyLoadContextTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "k3snet-alc-" + Guid.NewGuid().ToString("n"));

        public DependencyLoadContextTests()
        {
            Directory.CreateDirectory(_folder);
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        [Fact]
        public void Serves_its_own_copy_of_an_assembly_the_default_context_already_holds()
        {
            Assembly inDefault = typeof(Xunit.Abstractions.ITestOutputHelper).Assembly;
            File.Copy(inDefault.Location, Path.Combine(_folder, Path.GetFileName(inDefault.Location)));
            var context = new DependencyLoadContext(_folder);

            Assembly loaded = context.LoadFromAssemblyName(inDefault.GetName());

            Assert.NotSame(inDefault, loaded);
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(loaded));
            Assert.Equal(Path.Combine(_folder, Path.GetFileName(inDefault.Location)), loaded.Location);
        }

        [Fact]
        public void Leaves_everything_it_does_not_hold_to_the_default_context()
        {
            var context = new DependencyLoadContext(_folder);

            Assembly k3snet = context.LoadFromAssemblyName(typeof(PortRequirement).Assembly.GetName());

            // One identity for K3sNet's public types, whichever context asks.
            Assert.Same(typeof(PortRequirement).Assembly, k3snet);
            Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(k3snet));
        }

        [Theory]
        [InlineData("NotThere")]
        [InlineData("..")]
        public void Finds_no_file_for_a_name_it_does_not_hold(string name)
        {
            var context = new DependencyLoadContext(_folder);

            Assert.Null(context.PathOf(new AssemblyName(name)));
        }

        [Fact]
        public void A_module_without_its_dependencies_says_what_is_missing_and_what_to_do()
        {
            // The test host has no Dependencies/ beside K3sNet.dll: the state of a half-copied module.
            var error = Assert.Throws<FileNotFoundException>(() => CloudBridge.Services);

            Assert.Contains(CloudBridge.DependencyDirectory, error.Message);
            Assert.Contains("reinstall", error.Message);
            Assert.EndsWith("K3sNet.Cloud.dll", error.FileName);
        }
    }
}
