using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Benchmarking;

/// <summary>The three ways a Linear layer calls the GEMM, each C[m,n] = op(A)[m,k]·op(B)[k,n] (+ C).</summary>
internal enum GemmForm
{
    /// <summary>The forward pass: y = x·Wᵀ, B stored transposed, C overwritten.</summary>
    Linear,

    /// <summary>The input gradient: dx = dy·W, nothing transposed, C overwritten.</summary>
    InputGrad,

    /// <summary>The weight gradient: dW += dyᵀ·x, A stored transposed ([k,m]), accumulated into C; k is the batch.</summary>
    WeightGrad,
}

/// <summary>Times C[m,n] = op(A)[m,k]·op(B)[k,n] on a backend in one of the forms a Linear layer uses.</summary>
internal static class GemmBenchmark
{
    /// <summary>(transA, transB, beta) of a form.</summary>
    public static (bool TransA, bool TransB, float Beta) Operands(GemmForm form) => form switch
    {
        GemmForm.Linear => (false, true, 0f),
        GemmForm.InputGrad => (false, false, 0f),
        _ => (true, false, 1f),
    };

    /// <summary>Runs the benchmark with deterministic random operands.</summary>
    /// <exception cref="InvalidConfigException">The operands would pass <see cref="Model.MemoryEstimate.CapBytes"/> or int indexing.</exception>
    public static BenchResult Run(IBackend backend, int m, int k, int n, GemmForm form = GemmForm.Linear)
    {
        var (transA, transB, beta) = Operands(form);
        ArgumentNullException.ThrowIfNull(backend);
        CheckSize(m, k, n);
        using var a = backend.Allocate(m * k);
        using var b = backend.Allocate(k * n);
        using var c = backend.Allocate(m * n);
        a.CopyFromHost(RandomValues(m * k, 1));
        b.CopyFromHost(RandomValues(k * n, 2));
        var ta = new Tensor(a, 0, m * k);
        var tb = new Tensor(b, 0, k * n);
        var tc = new Tensor(c, 0, m, n);
        double ms = Stopwatches.MedianMilliseconds(() =>
        {
            backend.Gemm(transA, transB, m, n, k, ta, tb, beta, tc);
            backend.Synchronize();
        });
        return new BenchResult(ms, 2.0 * m * n * k / (ms * 1e6));
    }

    /// <summary>
    /// The cpu GEMM's 256-bit and 512-bit micro-kernels side by side, interleaved round by round so that drift in the
    /// machine's speed hits both alike; the 512-bit result is null where AVX-512 does not run.
    /// </summary>
    /// <exception cref="InvalidConfigException">The operands would pass <see cref="Model.MemoryEstimate.CapBytes"/> or int indexing.</exception>
    public static unsafe (BenchResult Narrow, BenchResult? Wide) CompareKernelWidths(int m, int k, int n, int rounds = 9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        CheckSize(m, k, n);
        var a = RandomValues(m * k, 1);
        var b = RandomValues(k * n, 2);
        var c = new float[m * n];
        bool wide = Backends.Cpu.PackedGemm.DefaultWidth == Backends.Cpu.PackedGemm.Width512;
        var narrowTimes = new List<double>();
        var wideTimes = new List<double>();
        fixed (float* ap = a, bp = b, cp = c)
        {
            nint aP = (nint)ap, bP = (nint)bp, cP = (nint)cp;
            double Time(int width) => Stopwatches.MedianMilliseconds(
                () => Backends.Cpu.PackedGemm.Multiply(false, true, m, n, k, (float*)aP, k, (float*)bP, k, 0f, (float*)cP, n, parallel: true, width), warmup: 1, minRuns: 3, minSeconds: 0.2);
            for (int r = 0; r < rounds; r++)
            {
                narrowTimes.Add(Time(Backends.Cpu.PackedGemm.Width256));
                if (wide) wideTimes.Add(Time(Backends.Cpu.PackedGemm.Width512));
            }
        }
        double flops = 2.0 * m * n * k;
        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        var narrow = new BenchResult(Median(narrowTimes), flops / (Median(narrowTimes) * 1e6));
        return (narrow, wide ? new BenchResult(Median(wideTimes), flops / (Median(wideTimes) * 1e6)) : null);
    }

    // m·k, k·n and m·n are int products below; 65536 × 65536 would wrap to a negative or zero length.
    private static void CheckSize(int m, int k, int n)
    {
        double a = (double)m * k, b = (double)k * n, c = (double)m * n, bytes = 4 * (a + b + c);
        string shape = $"gemm m={m} k={k} n={n}";
        if (bytes > Model.MemoryEstimate.CapBytes)
            throw new InvalidConfigException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{shape}: A, B and C need {bytes / (1L << 30):F1} GiB; the cap is {Model.MemoryEstimate.CapBytes >> 30} GiB"));
        if (Math.Max(a, Math.Max(b, c)) > Array.MaxLength)
            throw new InvalidConfigException($"{shape}: an operand holds more than {Array.MaxLength} floats, more than one buffer can index");
    }

    internal static float[] RandomValues(int length, ulong seed)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)Model.Gaussian.Sample(seed, (ulong)i);
        return values;
    }
}
