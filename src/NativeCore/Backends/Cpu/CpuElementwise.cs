using System.Numerics.Tensors;
using NativeCore.Kernels;

namespace NativeCore.Backends.Cpu;

/// <summary>Elementwise and small reduction kernels on the host: GELU, residual adds, dropout, biases, norms.</summary>
internal static class CpuElementwise
{
    private const float GeluScale = 0.7978845608028654f;

    /// <summary>out ← 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static void GeluForward(HostView output, HostView input) =>
        FixedChunks.For(input.Length, (_, s, e) =>
        {
            var x = input.Slice(s, e - s);
            var o = output.Slice(s, e - s);
            for (int i = 0; i < x.Length; i++)
            {
                float v = x[i];
                o[i] = 0.5f * v * (1f + MathF.Tanh(GeluScale * (v + 0.044715f * v * v * v)));
            }
        });

    /// <summary>dinput += GELU'(x)·dout.</summary>
    public static void GeluBackward(HostView dinput, HostView input, HostView dout) =>
        FixedChunks.For(input.Length, (_, s, e) =>
        {
            var x = input.Slice(s, e - s);
            var dy = dout.Slice(s, e - s);
            var dx = dinput.Slice(s, e - s);
            for (int i = 0; i < x.Length; i++)
            {
                float v = x[i];
                float th = MathF.Tanh(GeluScale * (v + 0.044715f * v * v * v));
                float du = GeluScale * (1f + 3f * 0.044715f * v * v);
                dx[i] += (0.5f * (1f + th) + 0.5f * v * (1f - th * th) * du) * dy[i];
            }
        });

    /// <summary>out ← a + b.</summary>
    public static void Add(HostView output, HostView a, HostView b) =>
        FixedChunks.For(a.Length, (_, s, e) => TensorPrimitives.Add(a.Slice(s, e - s), b.Slice(s, e - s), output.Slice(s, e - s)), 8192);

    /// <summary>x[i] ← x[i]·scale(seed, i).</summary>
    public static void DropoutForward(HostView x, float p, ulong seed) =>
        FixedChunks.For(x.Length, (_, s, e) =>
        {
            var v = x.Slice(s, e - s);
            for (int i = 0; i < v.Length; i++) v[i] *= CounterHash.DropoutScale(seed, (ulong)(s + i), p);
        });

    /// <summary>dinput[i] += scale(seed, i)·dout[i].</summary>
    public static void DropoutBackward(HostView dinput, HostView dout, float p, ulong seed) =>
        FixedChunks.For(dout.Length, (_, s, e) =>
        {
            var dy = dout.Slice(s, e - s);
            var dx = dinput.Slice(s, e - s);
            for (int i = 0; i < dy.Length; i++) dx[i] += CounterHash.DropoutScale(seed, (ulong)(s + i), p) * dy[i];
        });

    /// <summary>x[r,:] += bias.</summary>
    public static void AddBias(HostView x, HostView bias, int rows, int cols) =>
        FixedChunks.For(rows, (_, s, e) =>
        {
            var bv = bias.Span;
            for (int r = s; r < e; r++)
            {
                var row = x.Slice(r * cols, cols);
                TensorPrimitives.Add(row, bv, row);
            }
        }, 16);

    /// <summary>dbias += column sums of dout [rows, cols].</summary>
    public static void BiasBackward(HostView dbias, HostView dout, int rows, int cols)
    {
        var sums = FixedChunks.ColumnSums(rows, cols, (s, e, partial) =>
        {
            for (int r = s; r < e; r++) TensorPrimitives.Add(partial, dout.Slice(r * cols, cols), partial);
        });
        TensorPrimitives.Add(dbias.Span, sums, dbias.Span);
    }

    /// <summary>output[r] ← a[r,:]·b[r,:].</summary>
    public static void RowDot(HostView output, HostView a, HostView b, int rows, int cols) =>
        FixedChunks.For(rows, (_, s, e) =>
        {
            for (int r = s; r < e; r++) output.Array[output.Offset + r] = TensorPrimitives.Dot(a.Slice(r * cols, cols), b.Slice(r * cols, cols));
        }, 64);

    /// <summary>Σ x² in double over fixed chunks.</summary>
    public static double SumOfSquares(HostView x) => FixedChunks.Sum(x.Length, (s, e) =>
    {
        double acc = 0;
        foreach (float v in x.Slice(s, e - s)) acc += (double)v * v;
        return acc;
    });

    /// <summary>Σ x in double over fixed chunks.</summary>
    public static double Sum(HostView x) => FixedChunks.Sum(x.Length, (s, e) =>
    {
        double acc = 0;
        foreach (float v in x.Slice(s, e - s)) acc += v;
        return acc;
    });
}
