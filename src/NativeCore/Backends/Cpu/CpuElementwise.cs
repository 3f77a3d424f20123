using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NativeCore.Kernels;

namespace NativeCore.Backends.Cpu;

/// <summary>Elementwise and small reduction kernels on the host: residual adds, dropout, biases, ReLU, reductions (GELU is <see cref="CpuGelu"/>).</summary>
internal static class CpuElementwise
{
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
            for (int r = s; r < e; r++) output.Array[output.Offset + r] = LaneSums.Dot(a.Slice(r * cols, cols), b.Slice(r * cols, cols));
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
