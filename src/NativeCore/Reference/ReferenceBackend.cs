using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Reference;

/// <summary>
/// The <c>reference</c> backend: stores float32 tensors like <c>cpu</c>, but computes every operation by widening
/// its inputs to double and calling <see cref="ReferenceOps"/>. Slow and single-threaded, for debugging a model run
/// against the oracle (<c>--backend reference</c>).
/// </summary>
public sealed class ReferenceBackend : IBackend
{
    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public string DeviceDescription => "host, double-precision reference operations";

    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(int length) => new HostBuffer<float>(length);

    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(int length) => new HostBuffer<int>(length);

    /// <inheritdoc />
    public void Synchronize()
    {
    }

    /// <inheritdoc />
    public void Fill(Tensor x, float value) => Host(x).Fill(value);

    /// <inheritdoc />
    public void Copy(Tensor dst, Tensor src) => Host(src).CopyTo(Host(dst));

    /// <inheritdoc />
    public void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c)
    {
        var cd = Wide(c);
        ReferenceOps.Gemm(transA, transB, m, n, k, Wide(a), Wide(b), beta, cd);
        Store(c, cd);
    }

    /// <inheritdoc />
    public void AddBias(Tensor x, Tensor bias, int rows, int cols) => Update(x, xd => ReferenceOps.AddBias(xd, Wide(bias), rows, cols));

    /// <inheritdoc />
    public void BiasBackward(Tensor dbias, Tensor dout, int rows, int cols) => Update(dbias, d => ReferenceOps.BiasBackward(d, Wide(dout), rows, cols));

    /// <inheritdoc />
    public void EmbeddingForward(Tensor output, DeviceBuffer<int> tokens, Tensor wte, Tensor? wpe, int b, int t, int c) =>
        Update(output, o => ReferenceOps.EmbeddingForward(o, Ints(tokens), Wide(wte), wpe is { } p ? Wide(p) : [], b, t, c));

    /// <inheritdoc />
    public void EmbeddingBackward(Tensor dwte, Tensor? dwpe, Tensor dout, DeviceBuffer<int> tokens, int b, int t, int c)
    {
        double[] dte = Wide(dwte), dpe = dwpe is { } p ? Wide(p) : [];
        ReferenceOps.EmbeddingBackward(dte, dpe, Wide(dout), Ints(tokens), b, t, c);
        Store(dwte, dte);
        if (dwpe is { } p2) Store(p2, dpe);
    }

    /// <inheritdoc />
    public void LayerNormForward(Tensor output, Tensor mean, Tensor rstd, Tensor input, Tensor weight, Tensor? bias, int n, int c, float eps, bool centered)
    {
        double[] o = new double[output.Length], mu = new double[n], rs = new double[n];
        ReferenceOps.LayerNormForward(o, mu, rs, Wide(input), Wide(weight), bias is { } bt ? Wide(bt) : default, n, c, eps, centered);
        Store(output, o);
        Store(mean, mu);
        Store(rstd, rs);
    }

    /// <inheritdoc />
    public void LayerNormBackward(Tensor dinput, Tensor dweight, Tensor? dbias, Tensor dout, Tensor input, Tensor weight, Tensor mean, Tensor rstd, int n, int c, bool centered)
    {
        double[] di = Wide(dinput), dw = Wide(dweight), db = dbias is { } dbt ? Wide(dbt) : [];
        ReferenceOps.LayerNormBackward(di, dw, db, Wide(dout), Wide(input), Wide(weight), Wide(mean), Wide(rstd), n, c, centered);
        Store(dinput, di);
        Store(dweight, dw);
        if (dbias is { } dbt2) Store(dbt2, db);
    }

    /// <inheritdoc />
    public void AttentionForward(Tensor output, Tensor lse, Tensor qkv, int b, int t, int c, int nh, bool causal)
    {
        double[] o = new double[output.Length], l = new double[lse.Length];
        ReferenceOps.AttentionForward(o, new double[b * nh * t * t], l, Wide(qkv), b, t, c, nh, causal);
        Store(output, o);
        Store(lse, l);
    }

    /// <inheritdoc />
    public void AttentionDecode(Tensor output, Tensor qkv, int t, int c, int nh)
    {
        double[] o = new double[output.Length];
        ReferenceOps.AttentionDecode(o, Wide(qkv), t, c, nh);
        Store(output, o);
    }

    /// <inheritdoc />
    /// <remarks>The reference recomputes the whole softmax in double from qkv rather than trusting the saved lse.</remarks>
    public void AttentionPattern(Tensor pattern, Tensor qkv, Tensor lse, int b, int t, int c, int nh, bool causal)
    {
        double[] p = new double[pattern.Length];
        ReferenceOps.AttentionForward(new double[b * t * c], p, [], Wide(qkv), b, t, c, nh, causal);
        Store(pattern, p);
    }

    /// <inheritdoc />
    /// <remarks>The reference recomputes the probabilities in double from qkv; output and lse are not read.</remarks>
    public void AttentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor output, Tensor lse, int b, int t, int c, int nh, bool causal)
    {
        double[] q = Wide(qkv), p = new double[b * nh * t * t];
        ReferenceOps.AttentionForward(new double[b * t * c], p, [], q, b, t, c, nh, causal);
        Update(dqkv, d => ReferenceOps.AttentionBackward(d, Wide(dout), q, p, b, t, c, nh, causal));
    }

    /// <inheritdoc />
    public void GeluForward(Tensor output, Tensor input) => Update(output, o => ReferenceOps.GeluForward(o, Wide(input)));

    /// <inheritdoc />
    public void GeluBackward(Tensor dinput, Tensor input, Tensor dout) => Update(dinput, d => ReferenceOps.GeluBackward(d, Wide(input), Wide(dout)));

    /// <inheritdoc />
    public void ReluForward(Tensor output, Tensor input) => Update(output, o => ReferenceOps.ReluForward(o, Wide(input)));

    /// <inheritdoc />
    public void SwiGluForward(Tensor output, Tensor input, int n, int h) => Update(output, o => ReferenceOps.SwiGluForward(o, Wide(input), n, h));

    /// <inheritdoc />
    public void SwiGluBackward(Tensor dinput, Tensor input, Tensor dout, int n, int h) => Update(dinput, d => ReferenceOps.SwiGluBackward(d, Wide(input), Wide(dout), n, h));

    /// <inheritdoc />
    public void Rope(Tensor qkv, int b, int t, int c, int nh, float theta, bool inverse) => Update(qkv, q => ReferenceOps.Rope(q, b, t, c, nh, theta, inverse));

    /// <inheritdoc />
    public void ReluBackward(Tensor dinput, Tensor input, Tensor dout) => Update(dinput, d => ReferenceOps.ReluBackward(d, Wide(input), Wide(dout)));

    /// <inheritdoc />
    public void Add(Tensor output, Tensor a, Tensor b)
    {
        double[] ad = Wide(a), bd = Wide(b);
        for (int i = 0; i < ad.Length; i++) ad[i] += bd[i];
        Store(output, ad);
    }

    /// <inheritdoc />
    public void Accumulate(Tensor dst, Tensor src) => Add(dst, dst, src);

    /// <inheritdoc />
    public void DropoutForward(Tensor x, float p, ulong seed) => Update(x, xd => ReferenceOps.DropoutForward(xd, p, seed));

    /// <inheritdoc />
    public void DropoutBackward(Tensor dinput, Tensor dout, float p, ulong seed) => Update(dinput, d => ReferenceOps.DropoutBackward(d, Wide(dout), p, seed));

    /// <inheritdoc />
    public void CrossEntropyForward(Tensor losses, Tensor logits, DeviceBuffer<int> targets, int n, int v) =>
        Update(losses, l => ReferenceOps.CrossEntropyForward(l, Wide(logits), Ints(targets), n, v));

    /// <inheritdoc />
    public void CrossEntropyBackward(Tensor dlogits, Tensor logits, DeviceBuffer<int> targets, int n, int v, float scale) =>
        Update(dlogits, d => ReferenceOps.CrossEntropyBackward(d, Wide(logits), Ints(targets), n, v, scale));

    /// <inheritdoc />
    public void RowDot(Tensor output, Tensor a, Tensor b, int rows, int cols) => Update(output, o => ReferenceOps.RowDot(o, Wide(a), Wide(b), rows, cols));

    /// <inheritdoc />
    public double SumOfSquares(Tensor x)
    {
        double s = 0;
        foreach (float f in Host(x)) s += (double)f * f;
        return s;
    }

    /// <inheritdoc />
    public double Sum(Tensor x)
    {
        double s = 0;
        foreach (float f in Host(x)) s += f;
        return s;
    }

    /// <inheritdoc />
    public void AdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step)
    {
        double[] p = Wide(param), md = Wide(m), vd = Wide(v);
        ReferenceOps.AdamW(p, Wide(grad), md, vd, step);
        Store(param, p);
        Store(m, md);
        Store(v, vd);
    }

    /// <inheritdoc />
    public void SgdMomentum(Tensor param, Tensor grad, Tensor momentum, float learningRate, float mu, float gradScale)
    {
        double[] p = Wide(param), m = Wide(momentum);
        ReferenceOps.SgdMomentum(p, Wide(grad), m, learningRate, mu, gradScale);
        Store(param, p);
        Store(momentum, m);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static Span<float> Host(Tensor t) => ((HostBuffer<float>)t.Buffer).Array.AsSpan(t.Offset, t.Length);

    private static int[] Ints(DeviceBuffer<int> b) => ((HostBuffer<int>)b).Array;

    private static double[] Wide(Tensor t)
    {
        var src = Host(t);
        var d = new double[src.Length];
        for (int i = 0; i < d.Length; i++) d[i] = src[i];
        return d;
    }

    private static void Store(Tensor t, ReadOnlySpan<double> values)
    {
        var dst = Host(t);
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)values[i];
    }

    private static void Update(Tensor t, Action<double[]> op)
    {
        var d = Wide(t);
        op(d);
        Store(t, d);
    }
}
