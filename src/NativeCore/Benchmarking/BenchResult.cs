namespace NativeCore.Benchmarking;

/// <summary>Timing of one benchmarked operation: the median over repeated runs after a warm-up.</summary>
/// <param name="Milliseconds">Median wall time of one run.</param>
/// <param name="Gflops">Useful floating-point work per second, in 10⁹.</param>
/// <param name="TokensPerSecond">Training throughput (step benchmarks only).</param>
internal sealed record BenchResult(double Milliseconds, double Gflops, double? TokensPerSecond = null);

/// <summary>Runs an action a few times to warm up, then until enough time has passed, and reports the median.</summary>
internal static class Stopwatches
{
    /// <summary>Median milliseconds of <paramref name="action"/> over at least <paramref name="minRuns"/> runs and ~<paramref name="minSeconds"/> s.</summary>
    public static double MedianMilliseconds(Action action, int warmup = 2, int minRuns = 5, double minSeconds = 1.0)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (int i = 0; i < warmup; i++) action();
        var times = new List<double>();
        var total = System.Diagnostics.Stopwatch.StartNew();
        while (times.Count < minRuns || total.Elapsed.TotalSeconds < minSeconds)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (times.Count >= 1000) break;
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
