using System.Runtime.Intrinsics.X86;
using NativeCore.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// The default backend: managed SIMD on the host. GEMMs go through <see cref="PackedGemm"/>, elementwise work and
/// reductions through TensorPrimitives, and parallel loops through <see cref="CpuParallel"/> with fixed chunking, so every
/// result is bit-reproducible. A training step runs in two batch shards side by side (<see cref="TrainingShards"/>).
/// </summary>
public sealed class CpuBackend : IBackend
{
    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public string DeviceDescription =>
        $"host, {Environment.ProcessorCount} cores, {(Avx2.IsSupported && Fma.IsSupported ? "AVX2+FMA" : "no AVX2/FMA (portable vectors)")}";

    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(int length) => new HostBuffer<float>(length);

    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(int length) => new HostBuffer<int>(length);

    /// <inheritdoc />
    public void Synchronize()
    {
    }

    /// <summary>Batch shards per training step: two, whatever the core count, so that results do not depend on it.</summary>
    /// <remarks>
    /// On a small machine each shard then owns a core and runs its ops inline, where the ops of one unsharded step
    /// would fork and join across the cores a few hundred times; on a larger one the ops inside each shard still fork.
    /// </remarks>
    public const int ShardCount = 2;

    /// <inheritdoc />
    public int TrainingShards(int batch) => Math.Min(batch, ShardCount);

    /// <inheritdoc />
    public void RunShards(int count, Action<int> shard) => CpuParallel.Shards(count, shard);

    /// <inheritdoc />
    public void Fill(Tensor x, float value) => View(x).Span.Fill(value);

    /// <inheritdoc />
    public void Copy(Tensor dst, Tensor src) => View(src).Span.CopyTo(View(dst).Span);

    /// <inheritdoc />
    public unsafe void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c)
    {
        CheckLength(a, (long)m * k, "A");
        CheckLength(b, (long)k * n, "B");
        CheckLength(c, (long)m * n, "C");
        fixed (float* ap = View(a).Span, bp = View(b).Span, cp = View(c).Span)
        {
            PackedGemm.Multiply(transA, transB, m, n, k, ap, bp, beta, cp);
        }
    }

    /// <inheritdoc />
    public void AddBias(Tensor x, Tensor bias, int rows, int cols) => CpuElementwise.AddBias(View(x), View(bias), rows, cols);

    /// <inheritdoc />
    public void BiasBackward(Tensor dbias, Tensor dout, int rows, int cols) => CpuElementwise.BiasBackward(View(dbias), View(dout), rows, cols);

    /// <inheritdoc />
    public void EmbeddingForward(Tensor output, DeviceBuffer<int> tokens, Tensor wte, Tensor? wpe, int b, int t, int c) =>
        CpuEmbedding.Forward(View(output), Ints(tokens), View(wte), wpe is { } p ? View(p) : null, b, t, c);

    /// <inheritdoc />
    public void EmbeddingBackward(Tensor dwte, Tensor? dwpe, Tensor dout, DeviceBuffer<int> tokens, int b, int t, int c) =>
        CpuEmbedding.Backward(View(dwte), dwpe is { } p ? View(p) : null, View(dout), Ints(tokens), b, t, c);

    /// <inheritdoc />
    public void LayerNormForward(Tensor output, Tensor mean, Tensor rstd, Tensor input, Tensor weight, Tensor? bias, int n, int c, float eps, bool centered) =>
        CpuLayerNorm.Forward(View(output).Span, View(mean).Span, View(rstd).Span, View(input).Span, View(weight).Span, bias is { } bt ? View(bt).Span : default, n, c, eps, centered);

    /// <inheritdoc />
    public void LayerNormBackward(Tensor dinput, Tensor dweight, Tensor? dbias, Tensor dout, Tensor input, Tensor weight, Tensor mean, Tensor rstd, int n, int c, bool centered) =>
        CpuLayerNorm.Backward(View(dinput).Span, View(dweight).Span, dbias is { } db ? View(db).Span : default, View(dout).Span, View(input).Span, View(weight).Span, View(mean).Span, View(rstd).Span, n, c, centered);

    /// <inheritdoc />
    public void AttentionForward(Tensor output, Tensor lse, Tensor qkv, int b, int t, int c, int nh, bool causal) =>
        CpuAttention.Forward(View(output), View(lse), View(qkv), b, t, c, nh, causal);

    /// <inheritdoc />
    public void AttentionDecode(Tensor output, Tensor qkv, int t, int c, int nh) => CpuAttentionDecode.Decode(View(output), View(qkv), t, c, nh);

    /// <inheritdoc />
    public void AttentionPattern(Tensor pattern, Tensor qkv, Tensor lse, int b, int t, int c, int nh, bool causal) =>
        CpuAttention.Pattern(View(pattern), View(qkv), View(lse), b, t, c, nh, causal);

    /// <inheritdoc />
    public void AttentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor output, Tensor lse, int b, int t, int c, int nh, bool causal) =>
        CpuAttention.Backward(View(dqkv), View(dout), View(qkv), View(output), View(lse), b, t, c, nh, causal);

    /// <inheritdoc />
    public void GeluForward(Tensor output, Tensor input) => CpuGelu.Forward(View(output), View(input));

    /// <inheritdoc />
    public void GeluBackward(Tensor dinput, Tensor input, Tensor dout) => CpuGelu.Backward(View(dinput), View(input), View(dout));

    /// <inheritdoc />
    public void ReluForward(Tensor output, Tensor input) => CpuElementwise.ReluForward(View(output), View(input));

    /// <inheritdoc />
    public void SwiGluForward(Tensor output, Tensor input, int n, int h) => CpuLlama.SwiGluForward(View(output), View(input), n, h);

    /// <inheritdoc />
    public void SwiGluBackward(Tensor dinput, Tensor input, Tensor dout, int n, int h) => CpuLlama.SwiGluBackward(View(dinput), View(input), View(dout), n, h);

    /// <inheritdoc />
    public void Rope(Tensor qkv, int b, int t, int c, int nh, float theta, bool inverse) => CpuLlama.Rope(View(qkv), b, t, c, nh, theta, inverse);

    /// <inheritdoc />
    public void ReluBackward(Tensor dinput, Tensor input, Tensor dout) => CpuElementwise.ReluBackward(View(dinput), View(input), View(dout));

    /// <inheritdoc />
    public void Add(Tensor output, Tensor a, Tensor b) => CpuElementwise.Add(View(output), View(a), View(b));

    /// <inheritdoc />
    public void Accumulate(Tensor dst, Tensor src) => CpuElementwise.Add(View(dst), View(dst), View(src));

    /// <inheritdoc />
    public void DropoutForward(Tensor x, float p, ulong seed) => CpuElementwise.DropoutForward(View(x), p, seed);

    /// <inheritdoc />
    public void DropoutBackward(Tensor dinput, Tensor dout, float p, ulong seed) => CpuElementwise.DropoutBackward(View(dinput), View(dout), p, seed);

    /// <inheritdoc />
    public void CrossEntropyForward(Tensor losses, Tensor logits, DeviceBuffer<int> targets, int n, int v) =>
        CpuCrossEntropy.Forward(View(losses), View(logits), Ints(targets), n, v);

    /// <inheritdoc />
    public void CrossEntropyBackward(Tensor dlogits, Tensor logits, DeviceBuffer<int> targets, int n, int v, float scale) =>
        CpuCrossEntropy.Backward(View(dlogits), View(logits), Ints(targets), n, v, scale);

    /// <inheritdoc />
    public void RowDot(Tensor output, Tensor a, Tensor b, int rows, int cols) => CpuElementwise.RowDot(View(output), View(a), View(b), rows, cols);

    /// <inheritdoc />
    public double SumOfSquares(Tensor x) => CpuElementwise.SumOfSquares(View(x));

    /// <inheritdoc />
    public double Sum(Tensor x) => CpuElementwise.Sum(View(x));

    /// <inheritdoc />
    public void AdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) => CpuAdamW.Step(View(param), View(grad), View(m), View(v), step);

    /// <inheritdoc />
    public void SgdMomentum(Tensor param, Tensor grad, Tensor momentum, float learningRate, float mu, float gradScale) =>
        CpuSgd.MomentumStep(View(param), View(grad), View(momentum), learningRate, mu, gradScale);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static HostView View(Tensor t) => t.Buffer is HostBuffer<float> hb
        ? new HostView(hb.Array, t.Offset, t.Length)
        : throw new ArgumentException($"tensor {t.ShapeText} does not live in host memory; the cpu backend cannot use it");

    private static int[] Ints(DeviceBuffer<int> b) => b is HostBuffer<int> hb
        ? hb.Array
        : throw new ArgumentException("token buffer does not live in host memory; the cpu backend cannot use it");

    private static void CheckLength(Tensor t, long needed, string name)
    {
        if (t.Length < needed) throw new ArgumentException($"GEMM operand {name} has {t.Length} elements, needs {needed}");
    }
}
