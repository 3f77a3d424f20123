using BenchmarkDotNet.Attributes;
using NativeCore.Backends;
using NativeCore.Benchmarking;

namespace NativeCore.Benchmarks;

/// <summary>
/// Every op of <see cref="OpRegistry"/>, forward and backward, on every backend this machine runs, at the paper-like
/// model's sizes: the BenchmarkDotNet side of <c>nativecore bench op</c>, over the same list of ops.
/// </summary>
/// <remarks>
/// BenchmarkDotNet filters by method name only, so <c>NATIVECORE_BENCH_OPS=attention,gemm</c> keeps the suite to the
/// ops named; <c>--filter '*OpBenchmarks*' --job dry</c> checks that every case runs.
/// </remarks>
[MemoryDiagnoser]
public class OpBenchmarks
{
    private const string OpsVariable = "NATIVECORE_BENCH_OPS";
    private IBackend _be = null!;
    private OpRun _run = null!;
    private Action _call = null!;

    /// <summary>An op and a direction: <c>attention.forward</c>, <c>attention.backward</c>.</summary>
    [ParamsSource(nameof(Passes))]
    public string Pass { get; set; } = "";

    /// <summary>The backend's name.</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "";

    /// <summary>Each registered op's forward pass and, where it has one, its backward pass.</summary>
    public static IEnumerable<string> Passes()
    {
        var only = Environment.GetEnvironmentVariable(OpsVariable)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var op in OpRegistry.All)
        {
            if (only is { Length: > 0 } && !only.Contains(op.Name, StringComparer.Ordinal)) continue;
            yield return op.Name + ".forward";
            if (op.Backward is not null) yield return op.Name + ".backward";
        }
    }

    /// <summary>
    /// cpu and reference, and cuda and opencl where their device is here. ilgpu-cpu is left out: it emulates a GPU
    /// thread by thread, and its timings say nothing about a kernel's speed.
    /// </summary>
    public static IEnumerable<string> Backends()
    {
        yield return "cpu";
        yield return "reference";
        foreach (string name in new[] { "cuda", "opencl" })
        {
            bool available;
            try
            {
                using var probe = BackendRegistry.Create(name);
                available = true;
            }
            catch (BackendUnavailableException)
            {
                available = false;
            }
            if (available) yield return name;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        string name = Pass[..Pass.LastIndexOf('.')];
        bool backward = Pass.EndsWith(".backward", StringComparison.Ordinal);
        _be = BackendRegistry.Create(Backend);
        _run = OpRun.Allocate(_be, OpRegistry.Find(name), OpShape.FromAnchor("paper-like"));
        // Backward reads what a forward call leaves (saved statistics, outputs).
        _run.Forward();
        _be.Synchronize();
        _call = backward ? _run.Backward : _run.Forward;
    }

    [Benchmark]
    public void Call()
    {
        _call();
        _be.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _run.Dispose();
        _be.Dispose();
    }
}
