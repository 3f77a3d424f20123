using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NativeCore.Kernels;

namespace NativeCore.Backends.Cpu;

/// <summary>Elementwise and small reduction kernels on the host: GELU, residual adds, dropout, biases, norms.</summary>
internal static class CpuElementwise
{
    private const float GeluScale = 0.7978845608028654f;

    /// <summary>Elements per GELU chunk: a stack buffer of tanh values that stays in L1.</summary>
    private const int GeluChunk = 1024;

    /// <summary>th[i] ← tanh(√(2/π)(x + 0.044715x³)), vectorised (TensorPrimitives.Tanh does the tanh).</summary>
    private static void GeluTanh(ReadOnlySpan<float> x, Span<float> th)
    {
        TensorPrimitives.Multiply(x, x, th);
        TensorPrimitives.Multiply(th, 0.044715f, th);
        TensorPrimitives.Add(th, 1f, th);
        TensorPrimitives.Multiply(th, x, th);
        TensorPrimitives.Multiply(th, GeluScale, th);
        TensorPrimitives.Tanh(th, th);
    }

    /// <summary>out ← 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static void GeluForward(HostView output, HostView input) =>
        FixedChunks.For(input.Length, (_, s, e) =>
        {
            Span<float> th = stackalloc float[GeluChunk];
            for (int c = s; c < e; c += GeluChunk)
            {
                int n = Math.Min(GeluChunk, e - c);
                var x = input.Slice(c, n);
                var t = th[..n];
                GeluTanh(x, t);
                TensorPrimitives.Add(t, 1f, t);
                TensorPrimitives.Multiply(t, x, t);
                TensorPrimitives.Multiply(t, 0.5f, output.Slice(c, n));
            }
        });

    /// <summary>dinput += (0.5(1 + th) + 0.5x(1 − th²)·√(2/π)(1 + 3·0.044715x²))·dout.</summary>
    public static void GeluBackward(HostView dinput, HostView input, HostView dout) =>
        FixedChunks.For(input.Length, (_, s, e) =>
        {
            Span<float> th = stackalloc float[GeluChunk];
            for (int c = s; c < e; c += GeluChunk)
            {
                int n = Math.Min(GeluChunk, e - c);
                var x = input.Slice(c, n);
                var dy = dout.Slice(c, n);
                var dx = dinput.Slice(c, n);
                GeluTanh(x, th[..n]);
                GeluBackwardChunk(dx, x, th[..n], dy);
            }
        });

    /// <summary>
    /// dx += gelu′(x)·dy from precomputed tanh values, in vectors as wide as the machine runs. Every lane does the scalar
    /// expression's operations in the same order without fused multiply-adds, so the result is the same bit for bit
    /// whatever the vector width.
    /// </summary>
    private static void GeluBackwardChunk(Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> th, ReadOnlySpan<float> dy)
    {
        int n = x.Length, i = 0;
        const float cube = 3f * 0.044715f;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.Create(x.Slice(i, Vector512<float>.Count));
                var t = Vector512.Create(th.Slice(i, Vector512<float>.Count));
                var du = Vector512.Create(GeluScale) * (Vector512<float>.One + Vector512.Create(cube) * v * v);
                var half = Vector512.Create(0.5f);
                var g = half * (Vector512<float>.One + t) + half * v * (Vector512<float>.One - t * t) * du;
                (Vector512.Create(dx.Slice(i, Vector512<float>.Count)) + g * Vector512.Create(dy.Slice(i, Vector512<float>.Count))).CopyTo(dx.Slice(i, Vector512<float>.Count));
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(x.Slice(i, Vector256<float>.Count));
                var t = Vector256.Create(th.Slice(i, Vector256<float>.Count));
                var du = Vector256.Create(GeluScale) * (Vector256<float>.One + Vector256.Create(cube) * v * v);
                var half = Vector256.Create(0.5f);
                var g = half * (Vector256<float>.One + t) + half * v * (Vector256<float>.One - t * t) * du;
                (Vector256.Create(dx.Slice(i, Vector256<float>.Count)) + g * Vector256.Create(dy.Slice(i, Vector256<float>.Count))).CopyTo(dx.Slice(i, Vector256<float>.Count));
            }
        }
        for (; i < n; i++)
        {
            float v = x[i], t = th[i];
            float du = GeluScale * (1f + cube * v * v);
            dx[i] += (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * du) * dy[i];
        }
    }

    /// <summary>out ← max(0, x).</summary>
    public static void ReluForward(HostView output, HostView input) =>
        FixedChunks.For(input.Length, (_, s, e) => TensorPrimitives.Max(input.Slice(s, e - s), 0f, output.Slice(s, e - s)), 8192);

    /// <summary>dinput += (x &gt; 0)·dout.</summary>
    public static void ReluBackward(HostView dinput, HostView input, HostView dout) =>
        FixedChunks.For(input.Length, (_, s, e) =>
        {
            var x = input.Slice(s, e - s);
            var dy = dout.Slice(s, e - s);
            var dx = dinput.Slice(s, e - s);
            for (int i = 0; i < x.Length; i++)
                if (x[i] > 0f) dx[i] += dy[i];
        }, 8192);

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
