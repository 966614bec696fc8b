using System.IO;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace K3sNet.Bench.Codec
{
    /// <summary>
    /// Runs <see cref="CodecBenchmarks"/> with a short job (3 warm-ups, 10 measured iterations, one process), so the
    /// whole run takes about a minute on two cores. BenchmarkDotNet's reports go to artifacts/bench/codec under the
    /// working directory (build.ps1 runs it from the repository root, whose artifacts/ is ignored by git), never
    /// into the source tree. The arguments are BenchmarkDotNet's own: --filter '*' runs everything without asking.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            IConfig config = DefaultConfig.Instance
                .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithId("Short"))
                .WithArtifactsPath(Path.Combine(Directory.GetCurrentDirectory(), "artifacts", "bench", "codec"));
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
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
