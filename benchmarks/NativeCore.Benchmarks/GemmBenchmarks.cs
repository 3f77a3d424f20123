using BenchmarkDotNet.Attributes;
using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Benchmarks;

/// <summary>
/// The paper model's GEMMs at batch×sequence = 4096 (c_attn, c_fc and mlp.c_proj forward), as the Linear layer calls
/// them: C[m,n] = A[m,k]·Wᵀ with W stored [n,k]. GFLOP/s = 2·m·n·k / time.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private IBackend _be = null!;
    private Tensor _a, _b, _c;

    /// <summary>"m,k,n".</summary>
    [Params("4096,192,576", "4096,192,768", "4096,768,192")]
    public string Shape { get; set; } = "";

    private int M => int.Parse(Shape.Split(',')[0]);
    private int K => int.Parse(Shape.Split(',')[1]);
    private int N => int.Parse(Shape.Split(',')[2]);

    [GlobalSetup]
    public void Setup()
    {
        _be = BackendRegistry.Create("cpu");
        _a = new Tensor(_be.Allocate(M * K), 0, M, K);
        _b = new Tensor(_be.Allocate(K * N), 0, N, K);
        _c = new Tensor(_be.Allocate(M * N), 0, M, N);
        _a.CopyFrom(Benchmarking.GemmBenchmark.RandomValues(M * K, 1));
        _b.CopyFrom(Benchmarking.GemmBenchmark.RandomValues(K * N, 2));
    }

    [Benchmark]
    public void LinearForward() => _be.Gemm(false, true, M, N, K, _a, _b, 0f, _c);

    [GlobalCleanup]
    public void Cleanup() => _be.Dispose();
}
