using NativeCore.Backends;

namespace NativeCore.Benchmarking;

/// <summary>The timing of one direction of an op.</summary>
/// <param name="Milliseconds">Median wall time of one call, after a warm-up.</param>
/// <param name="Work">The work of one call.</param>
internal sealed record OpTiming(double Milliseconds, OpWork Work)
{
    /// <summary>Floating-point work per second in 10⁹; 0 for an op that only moves memory.</summary>
    public double Gflops => Work.Flops / (Milliseconds * 1e6);

    /// <summary>Bytes the call must move per second, in 10⁹.</summary>
    public double GBytesPerSecond => Work.Bytes / (Milliseconds * 1e6);
}

/// <summary>An op's forward timing and, where it has one, its backward timing.</summary>
/// <param name="Forward">The forward call (an optimizer's update).</param>
/// <param name="Backward">The backward call; null where the op has none.</param>
internal sealed record OpBenchResult(OpTiming Forward, OpTiming? Backward);

/// <summary>Times any op of <see cref="OpRegistry"/> on any backend: <c>nativecore bench op</c>.</summary>
internal static class OpBenchmark
{
    /// <summary>
    /// Allocates the op's buffers on <paramref name="backend"/>, then times its forward call and then its backward
    /// call, each after a warm-up, for at least <paramref name="minSeconds"/> each.
    /// </summary>
    /// <exception cref="InvalidConfigException">The sizes do not suit the op (see <see cref="OpRun.Allocate"/>).</exception>
    public static OpBenchResult Run(IBackend backend, OpDefinition op, OpShape shape, double minSeconds = 0.5)
    {
        ArgumentNullException.ThrowIfNull(op);
        using var run = OpRun.Allocate(backend, op, shape);
        var forward = Time(run, run.Forward, op.Forward, minSeconds);
        // Backward runs on what the forward calls left (saved statistics, outputs), as in training.
        var backward = op.Backward is { } pass ? Time(run, run.Backward, pass, minSeconds) : null;
        return new OpBenchResult(forward, backward);
    }

    private static OpTiming Time(OpRun run, Action call, OpPass pass, double minSeconds)
    {
        double ms = Stopwatches.MedianMilliseconds(() =>
        {
            call();
            run.Backend.Synchronize();
        }, warmup: 2, minRuns: 5, minSeconds: minSeconds);
        return new OpTiming(ms, pass.Work(run.Shape));
    }
}
