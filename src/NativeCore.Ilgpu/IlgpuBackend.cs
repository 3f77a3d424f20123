using ILGPU;
using ILGPU.Runtime;
using NativeCore.Kernels;
using NativeCore.Tensors;

namespace NativeCore.Backends.Ilgpu;

/// <summary>
/// Runs the ILGPU kernels of NativeCore.Kernels on CUDA, OpenCL or ILGPU's CPU emulator (<c>ilgpu-cpu</c>). Each kernel
/// is compiled once, on first use, and cached; buffers stay on the device, and only scalar reductions (the loss and
/// the gradient norm) come back to the host.
/// </summary>
public sealed class IlgpuBackend : IBackend
{
    private readonly Context _context;
    private readonly Accelerator _acc;
    private readonly int _tile;
    private readonly IlgpuBuffer<double> _partials;
    private IlgpuBuffer<float>? _scratch;

    private readonly Lazy<Action<Index1D, ArrayView<float>, float>> _fill;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>>> _copy;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _add;
    private readonly Lazy<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>> _gemm;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, int>> _addBias;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, int, int>> _biasBackward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>> _embedForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, int>> _swigluForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>> _swigluBackward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>> _rope;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>> _embedBackTokens;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>> _embedBackPositions;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int, int>> _lnForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>> _lnBackInput;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>> _lnBackParams;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>> _attnForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>> _attnPattern;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, AttentionArgs>> _attnDecode;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>> _attnScores;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>> _attnQuery;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>> _attnKeyValue;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>>> _geluForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _geluBackward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>>> _reluForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _reluBackward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, float, ulong>> _dropoutForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, float, ulong>> _dropoutBackward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>> _ceForward;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, float>> _ceBackward;
    private readonly Lazy<Action<Index1D, ArrayView<double>, ArrayView<float>, int, int>> _partialSums;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>> _rowDot;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWArgs>> _adamW;
    private readonly Lazy<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float>> _sgd;

    /// <summary>Opens the device for <paramref name="kind"/>: <c>cuda</c>, <c>opencl</c> or <c>ilgpu-cpu</c>.</summary>
    /// <exception cref="BackendUnavailableException">No such device, with the reason.</exception>
    public IlgpuBackend(string kind)
    {
        Name = kind;
        (_context, _acc) = IlgpuDevices.Open(kind);
        _tile = 1;
        while (_tile * 2 <= GemmKernels.MaxTile && (_tile * 2) * (_tile * 2) <= _acc.MaxNumThreadsPerGroup) _tile *= 2;
        _partials = new IlgpuBuffer<double>(_acc, 256);

        Lazy<TDelegate> Auto<TDelegate>(Func<TDelegate> load) where TDelegate : Delegate => new(load);
        _fill = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill)));
        _copy = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Copy)));
        _add = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Add)));
        _gemm = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernels.Tiled)));
        _addBias = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddBias)));
        _biasBackward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ElementwiseKernels.BiasBackward)));
        _embedForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(EmbeddingKernels.Forward)));
        _swigluForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(LlamaKernels.SwiGluForward)));
        _swigluBackward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LlamaKernels.SwiGluBackward)));
        _rope = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(LlamaKernels.Rope)));
        _embedBackTokens = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>(EmbeddingKernels.BackwardTokens)));
        _embedBackPositions = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(EmbeddingKernels.BackwardPositions)));
        _lnForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int, int>(LayerNormKernels.Forward)));
        _lnBackInput = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(LayerNormKernels.BackwardInput)));
        _lnBackParams = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(LayerNormKernels.BackwardParams)));
        _attnForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.Forward)));
        _attnPattern = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.Pattern)));
        _attnDecode = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.Decode)));
        _attnScores = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.ScoreGradients)));
        _attnQuery = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.QueryGradients)));
        _attnKeyValue = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.KeyValueGradients)));
        _geluForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.GeluForward)));
        _geluBackward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.GeluBackward)));
        _reluForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ReluForward)));
        _reluBackward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ReluBackward)));
        _dropoutForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ulong>(ElementwiseKernels.DropoutForward)));
        _dropoutBackward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ulong>(ElementwiseKernels.DropoutBackward)));
        _ceForward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(CrossEntropyKernels.Forward)));
        _ceBackward = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, float>(CrossEntropyKernels.Backward)));
        _rowDot = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.RowDot)));
        _partialSums = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<float>, int, int>(ElementwiseKernels.PartialSums)));
        _adamW = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamWArgs>(AdamWKernels.Step)));
        _sgd = Auto(() => CpuLaunchGate.Wrap(_acc, _acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float>(SgdKernels.MomentumStep)));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string DeviceDescription => $"{_acc.AcceleratorType}: {_acc.Name}, {(_acc.AcceleratorType == AcceleratorType.CPU ? "emulated on the host" : $"{_acc.MemorySize / (1 << 20)} MiB")}, GEMM tile {_tile}×{_tile}";

    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(int length) => new IlgpuBuffer<float>(_acc, length);

    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(int length) => new IlgpuBuffer<int>(_acc, length);

    /// <inheritdoc />
    public void Synchronize() => _acc.Synchronize();

    /// <inheritdoc />
    public void Fill(Tensor x, float value)
    {
        if (x.Length > 0) _fill.Value(x.Length, V(x), value);
    }

    /// <inheritdoc />
    public void Copy(Tensor dst, Tensor src)
    {
        if (src.Length > 0) _copy.Value(src.Length, V(dst), V(src));
    }

    /// <inheritdoc />
    public void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c)
    {
        if (m == 0 || n == 0) return;
        var grid = new Index2D((n + _tile - 1) / _tile, (m + _tile - 1) / _tile);
        _gemm.Value(new KernelConfig(grid, new Index2D(_tile, _tile)), V(a), V(b), V(c), new GemmArgs(m, n, k, transA, transB, beta));
    }

    /// <inheritdoc />
    public void AddBias(Tensor x, Tensor bias, int rows, int cols) => _addBias.Value(rows * cols, V(x), V(bias), cols);

    /// <inheritdoc />
    public void BiasBackward(Tensor dbias, Tensor dout, int rows, int cols) => _biasBackward.Value(cols, V(dbias), V(dout), rows, cols);

    /// <inheritdoc />
    public void EmbeddingForward(Tensor output, DeviceBuffer<int> tokens, Tensor wte, Tensor? wpe, int b, int t, int c) =>
        _embedForward.Value(b * t * c, V(output), I(tokens), V(wte), wpe is { } p ? V(p) : V(wte), t, c, wpe is null ? 0 : 1);

    /// <inheritdoc />
    public void EmbeddingBackward(Tensor dwte, Tensor? dwpe, Tensor dout, DeviceBuffer<int> tokens, int b, int t, int c)
    {
        _embedBackTokens.Value(c, V(dwte), V(dout), I(tokens), b * t, c);
        if (dwpe is { } p) _embedBackPositions.Value(t * c, V(p), V(dout), b, t, c);
    }

    /// <inheritdoc />
    public void LayerNormForward(Tensor output, Tensor mean, Tensor rstd, Tensor input, Tensor weight, Tensor? bias, int n, int c, float eps, bool centered) =>
        _lnForward.Value(n, V(output), V(mean), V(rstd), V(input), V(weight), bias is { } bt ? V(bt) : V(weight), c, eps, bias is null ? 0 : 1, centered ? 1 : 0);

    /// <inheritdoc />
    public void LayerNormBackward(Tensor dinput, Tensor dweight, Tensor? dbias, Tensor dout, Tensor input, Tensor weight, Tensor mean, Tensor rstd, int n, int c, bool centered)
    {
        _lnBackInput.Value(n, V(dinput), V(dout), V(input), V(weight), V(mean), V(rstd), c, centered ? 1 : 0);
        _lnBackParams.Value(c, V(dweight), dbias is { } db ? V(db) : V(dweight), V(dout), V(input), V(mean), V(rstd), n, c, dbias is null ? 0 : 1);
    }

    /// <inheritdoc />
    public void AttentionForward(Tensor output, Tensor lse, Tensor qkv, int b, int t, int c, int nh, bool causal) =>
        _attnForward.Value(b * nh * t, V(output), V(lse), Scratch(b * nh * t * t), V(qkv), new AttentionArgs(b, t, c, nh, causal));

    /// <inheritdoc />
    public void AttentionDecode(Tensor output, Tensor qkv, int t, int c, int nh) =>
        _attnDecode.Value(c, V(output), V(qkv), new AttentionArgs(1, t, c, nh, true));

    /// <inheritdoc />
    public void AttentionPattern(Tensor pattern, Tensor qkv, Tensor lse, int b, int t, int c, int nh, bool causal) =>
        _attnPattern.Value(b * nh * t, V(pattern), V(qkv), V(lse), new AttentionArgs(b, t, c, nh, causal));

    /// <inheritdoc />
    public void AttentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor output, Tensor lse, int b, int t, int c, int nh, bool causal)
    {
        var args = new AttentionArgs(b, t, c, nh, causal);
        int rows = b * nh * t, cells = rows * t;
        var scratch = Scratch(2 * cells);
        ArrayView<float> pattern = scratch.SubView(0, cells), dscores = scratch.SubView(cells, cells);
        _attnPattern.Value(rows, pattern, V(qkv), V(lse), args);
        _attnScores.Value(rows, dscores, V(dout), V(qkv), pattern, args);
        _attnQuery.Value(rows, V(dqkv), dscores, V(qkv), args);
        _attnKeyValue.Value(rows, V(dqkv), dscores, V(dout), V(qkv), pattern, args);
    }

    /// <inheritdoc />
    public void GeluForward(Tensor output, Tensor input) => _geluForward.Value(input.Length, V(output), V(input));

    /// <inheritdoc />
    public void GeluBackward(Tensor dinput, Tensor input, Tensor dout) => _geluBackward.Value(input.Length, V(dinput), V(input), V(dout));

    /// <inheritdoc />
    public void ReluForward(Tensor output, Tensor input) => _reluForward.Value(input.Length, V(output), V(input));

    /// <inheritdoc />
    public void SwiGluForward(Tensor output, Tensor input, int n, int h) => _swigluForward.Value(n * h, V(output), V(input), h);

    /// <inheritdoc />
    public void SwiGluBackward(Tensor dinput, Tensor input, Tensor dout, int n, int h) => _swigluBackward.Value(n * h, V(dinput), V(input), V(dout), h);

    /// <inheritdoc />
    public void Rope(Tensor qkv, int b, int t, int c, int nh, float theta, bool inverse)
    {
        int half = c / nh / 2;
        var (cos, sin) = RopeTables.Build(t, c / nh, theta, inverse);
        using var cosBuffer = _acc.Allocate1D(cos);
        using var sinBuffer = _acc.Allocate1D(sin);
        _rope.Value(b * t * 2 * nh * half, V(qkv), cosBuffer.View, sinBuffer.View, t, c, nh);
        _acc.Synchronize();
    }

    /// <inheritdoc />
    public void ReluBackward(Tensor dinput, Tensor input, Tensor dout) => _reluBackward.Value(input.Length, V(dinput), V(input), V(dout));

    /// <inheritdoc />
    public void Add(Tensor output, Tensor a, Tensor b) => _add.Value(a.Length, V(output), V(a), V(b));

    /// <inheritdoc />
    public void Accumulate(Tensor dst, Tensor src) => Add(dst, dst, src);

    /// <inheritdoc />
    public void DropoutForward(Tensor x, float p, ulong seed) => _dropoutForward.Value(x.Length, V(x), p, seed);

    /// <inheritdoc />
    public void DropoutBackward(Tensor dinput, Tensor dout, float p, ulong seed) => _dropoutBackward.Value(dout.Length, V(dinput), V(dout), p, seed);

    /// <inheritdoc />
    public void CrossEntropyForward(Tensor losses, Tensor logits, DeviceBuffer<int> targets, int n, int v) =>
        _ceForward.Value(n, V(losses), V(logits), I(targets), v);

    /// <inheritdoc />
    public void CrossEntropyBackward(Tensor dlogits, Tensor logits, DeviceBuffer<int> targets, int n, int v, float scale) =>
        _ceBackward.Value(n, V(dlogits), V(logits), I(targets), v, scale);

    /// <inheritdoc />
    public void RowDot(Tensor output, Tensor a, Tensor b, int rows, int cols) => _rowDot.Value(rows, V(output), V(a), V(b), cols);

    /// <inheritdoc />
    public double SumOfSquares(Tensor x) => Reduce(x, squares: 1);

    /// <inheritdoc />
    public double Sum(Tensor x) => Reduce(x, squares: 0);

    /// <inheritdoc />
    public void SgdMomentum(Tensor param, Tensor grad, Tensor momentum, float learningRate, float mu, float gradScale) =>
        _sgd.Value(param.Length, V(param), V(grad), V(momentum), learningRate, mu, gradScale);

    /// <inheritdoc />
    public void AdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step)
    {
        var s = step;
        var args = new AdamWArgs(s.Beta1, s.Beta2, s.Eps, 1f - s.LearningRate * s.WeightDecay,
            s.LearningRate / (1f - MathF.Pow(s.Beta1, s.Step)), MathF.Sqrt(1f - MathF.Pow(s.Beta2, s.Step)), s.GradScale);
        _adamW.Value(param.Length, V(param), V(grad), V(m), V(v), args);
    }

    /// <summary>Frees the device buffers, the accelerator and the context.</summary>
    public void Dispose()
    {
        _scratch?.Dispose();
        _partials.Dispose();
        _acc.Dispose();
        _context.Dispose();
    }

    private double Reduce(Tensor x, int squares)
    {
        if (x.Length == 0) return 0;
        _partialSums.Value(_partials.Length, _partials.View, V(x), x.Length, squares);
        double total = 0;
        foreach (double p in _partials.ToArray()) total += p;
        return total;
    }

    private ArrayView<float> Scratch(int length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            _scratch?.Dispose();
            _scratch = new IlgpuBuffer<float>(_acc, length);
        }
        return _scratch.View.SubView(0, length);
    }

    private static ArrayView<float> V(Tensor t) => t.Buffer is IlgpuBuffer<float> b
        ? b.View.SubView(t.Offset, Math.Max(t.Length, 1))
        : throw new ArgumentException($"tensor {t.ShapeText} is not in this accelerator's memory");

    private static ArrayView<int> I(DeviceBuffer<int> buffer) => buffer is IlgpuBuffer<int> b
        ? b.View
        : throw new ArgumentException("token buffer is not in this accelerator's memory");
}
