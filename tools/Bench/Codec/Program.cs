using System.IO;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace K3sNet.Bench.Codec
{
    /// <summary>
    /// Runs <see cref="CodecBenchmarks"/> with a short job (3 warm-ups, 10 measured iterations, one process), so the
    /// whole run takes about a minute on two cores. BenchmarkDotNet's reports go to artifacts/bench/codec under the
    /// working directory (build.ps1 runs it from the repository root, whose artifacts/ is ignored by git), never
    /// into the source tree. The arguments are BenchmarkDotNet's own (--filter '*' runs everything without asking), and
    /// --quick.
    /// </summary>
    public static class Program
    {
        /// <summary>Our own argument, not BenchmarkDotNet's: run every benchmark once, to prove it runs (CI).</summary>
        public const string QuickArgument = "--quick";

        public static int Main(string[] args)
        {
            // --quick: BenchmarkDotNet's dry job (one iteration, no warm-up) in this process, so no benchmark project is
            // generated and built: seconds, not a minute. Its figures mean nothing; it proves the benchmarks still run.
            bool quick = args.Contains(QuickArgument);
            Job job = quick
                ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick")
                : Job.ShortRun.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithId("Short");
            IConfig config = DefaultConfig.Instance
                .AddJob(job)
                .WithArtifactsPath(Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "bench", "codec"));
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
                .Run(args.Where(argument => argument != QuickArgument).ToArray(), config);
            foreach (var summary in summaries)
            {
                if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0)
                {
                    return 1;
                }
            }

            return 0;
        }
    }
}
