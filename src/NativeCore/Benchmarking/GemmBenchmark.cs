using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Benchmarking;

/// <summary>Times C[m,n] = A[m,k]·B[k,n] on a backend, as the model's forward Linear layers call it (B stored transposed).</summary>
public static class GemmBenchmark
{
    /// <summary>Runs the benchmark with deterministic random operands.</summary>
    public static BenchResult Run(IBackend backend, int m, int k, int n, bool transB = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        using var a = backend.Allocate(m * k);
        using var b = backend.Allocate(k * n);
        using var c = backend.Allocate(m * n);
        a.CopyFromHost(RandomValues(m * k, 1));
        b.CopyFromHost(RandomValues(k * n, 2));
        var ta = new Tensor(a, 0, m, k);
        var tb = new Tensor(b, 0, k * n);
        var tc = new Tensor(c, 0, m, n);
        double ms = Stopwatches.MedianMilliseconds(() =>
        {
            backend.Gemm(false, transB, m, n, k, ta, tb, 0f, tc);
            backend.Synchronize();
        });
        return new BenchResult(ms, 2.0 * m * n * k / (ms * 1e6));
    }

    internal static float[] RandomValues(int length, ulong seed)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)Model.Gaussian.Sample(seed, (ulong)i);
        return values;
    }
}
