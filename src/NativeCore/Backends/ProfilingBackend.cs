using System.Diagnostics;
using System.Runtime.CompilerServices;
using NativeCore.Tensors;

namespace NativeCore.Backends;

/// <summary>
/// Wraps a backend and adds up the wall time of every operation by name (synchronising after each, so that
/// asynchronous devices are timed honestly). <c>nativecore bench step --breakdown</c> prints the table.
/// </summary>
public sealed class ProfilingBackend(IBackend inner) : IBackend
{
    private readonly Dictionary<string, (double Ms, long Calls)> _totals = new(StringComparer.Ordinal);

    /// <summary>Milliseconds and calls per operation since the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, (double Ms, long Calls)> Totals => _totals;

    /// <summary>Forgets the totals.</summary>
    public void Reset() => _totals.Clear();

    private void Time(Action op, [CallerMemberName] string name = "")
    {
        long t0 = Stopwatch.GetTimestamp();
        op();
        inner.Synchronize();
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        _totals[name] = _totals.TryGetValue(name, out var v) ? (v.Ms + ms, v.Calls + 1) : (ms, 1);
    }

    private T Time<T>(Func<T> op, [CallerMemberName] string name = "")
    {
        T result = default!;
        Time(() => { result = op(); }, name);
        return result;
    }

    /// <inheritdoc />
    public string Name => inner.Name;
    /// <inheritdoc />
    public string DeviceDescription => inner.DeviceDescription;
    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(int length) => inner.Allocate(length);
    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(int length) => inner.AllocateInt(length);
    /// <inheritdoc />
    public void Synchronize() => inner.Synchronize();
    /// <inheritdoc />
    public int TrainingShards(int batch) => inner.TrainingShards(batch);
    /// <summary>Runs the shards one after another, so that each operation's time is its own.</summary>
    public void RunShards(int count, Action<int> shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        for (int k = 0; k < count; k++) shard(k);
    }
    /// <inheritdoc />
    public void Fill(Tensor x, float value) => Time(() => inner.Fill(x, value));
    /// <inheritdoc />
    public void Copy(Tensor dst, Tensor src) => Time(() => inner.Copy(dst, src));
    /// <inheritdoc />
    public void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c) =>
        Time(() => inner.Gemm(transA, transB, m, n, k, a, b, beta, c), transA ? "Gemm (weight gradient)" : transB ? "Gemm (forward)" : "Gemm (input gradient)");
    /// <inheritdoc />
    public void AddBias(Tensor x, Tensor bias, int rows, int cols) => Time(() => inner.AddBias(x, bias, rows, cols));
    /// <inheritdoc />
    public void BiasBackward(Tensor dbias, Tensor dout, int rows, int cols) => Time(() => inner.BiasBackward(dbias, dout, rows, cols));
    /// <inheritdoc />
    public void EmbeddingForward(Tensor output, DeviceBuffer<int> tokens, Tensor wte, Tensor? wpe, int b, int t, int c) => Time(() => inner.EmbeddingForward(output, tokens, wte, wpe, b, t, c));
    /// <inheritdoc />
    public void EmbeddingBackward(Tensor dwte, Tensor? dwpe, Tensor dout, DeviceBuffer<int> tokens, int b, int t, int c) => Time(() => inner.EmbeddingBackward(dwte, dwpe, dout, tokens, b, t, c));
    /// <inheritdoc />
    public void LayerNormForward(Tensor output, Tensor mean, Tensor rstd, Tensor input, Tensor weight, Tensor? bias, int n, int c, float eps, bool centered) => Time(() => inner.LayerNormForward(output, mean, rstd, input, weight, bias, n, c, eps, centered));
    /// <inheritdoc />
    public void LayerNormBackward(Tensor dinput, Tensor dweight, Tensor? dbias, Tensor dout, Tensor input, Tensor weight, Tensor mean, Tensor rstd, int n, int c, bool centered) => Time(() => inner.LayerNormBackward(dinput, dweight, dbias, dout, input, weight, mean, rstd, n, c, centered));
    /// <inheritdoc />
    public void AttentionForward(Tensor output, Tensor lse, Tensor qkv, int b, int t, int c, int nh, bool causal) => Time(() => inner.AttentionForward(output, lse, qkv, b, t, c, nh, causal));

    /// <inheritdoc />
    public void AttentionDecode(Tensor output, Tensor qkv, int t, int c, int nh) => Time(() => inner.AttentionDecode(output, qkv, t, c, nh));
    /// <inheritdoc />
    public void AttentionPattern(Tensor pattern, Tensor qkv, Tensor lse, int b, int t, int c, int nh, bool causal) => Time(() => inner.AttentionPattern(pattern, qkv, lse, b, t, c, nh, causal));
    /// <inheritdoc />
    public void AttentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor output, Tensor lse, int b, int t, int c, int nh, bool causal) => Time(() => inner.AttentionBackward(dqkv, dout, qkv, output, lse, b, t, c, nh, causal));
    /// <inheritdoc />
    public void GeluForward(Tensor output, Tensor input) => Time(() => inner.GeluForward(output, input));
    /// <inheritdoc />
    public void GeluBackward(Tensor dinput, Tensor input, Tensor dout) => Time(() => inner.GeluBackward(dinput, input, dout));
    /// <inheritdoc />
    public void ReluForward(Tensor output, Tensor input) => Time(() => inner.ReluForward(output, input));
    /// <inheritdoc />
    public void SwiGluForward(Tensor output, Tensor input, int n, int h) => Time(() => inner.SwiGluForward(output, input, n, h));
    /// <inheritdoc />
    public void SwiGluBackward(Tensor dinput, Tensor input, Tensor dout, int n, int h) => Time(() => inner.SwiGluBackward(dinput, input, dout, n, h));
    /// <inheritdoc />
    public void Rope(Tensor qkv, int b, int t, int c, int nh, float theta, bool inverse) => Time(() => inner.Rope(qkv, b, t, c, nh, theta, inverse));
    /// <inheritdoc />
    public void ReluBackward(Tensor dinput, Tensor input, Tensor dout) => Time(() => inner.ReluBackward(dinput, input, dout));
    /// <inheritdoc />
    public void Add(Tensor output, Tensor a, Tensor b) => Time(() => inner.Add(output, a, b));
    /// <inheritdoc />
    public void Accumulate(Tensor dst, Tensor src) => Time(() => inner.Accumulate(dst, src));
    /// <inheritdoc />
    public void DropoutForward(Tensor x, float p, ulong seed) => Time(() => inner.DropoutForward(x, p, seed));
    /// <inheritdoc />
    public void DropoutBackward(Tensor dinput, Tensor dout, float p, ulong seed) => Time(() => inner.DropoutBackward(dinput, dout, p, seed));
    /// <inheritdoc />
    public void CrossEntropyForward(Tensor losses, Tensor logits, DeviceBuffer<int> targets, int n, int v) => Time(() => inner.CrossEntropyForward(losses, logits, targets, n, v));
    /// <inheritdoc />
    public void CrossEntropyBackward(Tensor dlogits, Tensor logits, DeviceBuffer<int> targets, int n, int v, float scale) => Time(() => inner.CrossEntropyBackward(dlogits, logits, targets, n, v, scale));
    /// <inheritdoc />
    public void RowDot(Tensor output, Tensor a, Tensor b, int rows, int cols) => Time(() => inner.RowDot(output, a, b, rows, cols));
    /// <inheritdoc />
    public double SumOfSquares(Tensor x) => Time(() => inner.SumOfSquares(x));
    /// <inheritdoc />
    public double Sum(Tensor x) => Time(() => inner.Sum(x));
    /// <inheritdoc />
    public void AdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) => Time(() => inner.AdamW(param, grad, m, v, step));
    /// <inheritdoc />
    public void SgdMomentum(Tensor param, Tensor grad, Tensor momentum, float learningRate, float mu, float gradScale) => Time(() => inner.SgdMomentum(param, grad, momentum, learningRate, mu, gradScale));
    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}
