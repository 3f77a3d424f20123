using System.Numerics.Tensors;
using Lanes = System.Numerics.Vector<float>;

namespace NativeCore.Backends.Cpu;

/// <summary>Layer norm (or, uncentered, RMSNorm) over the last dimension on the host; rows in parallel, parameter gradients by fixed chunks.</summary>
internal static class CpuLayerNorm
{
    /// <summary>out [N,C] = (x − mean)·rstd·w + b, with mean = 0 when not <paramref name="centered"/>; saves mean [N] and rstd [N].</summary>
    public static void Forward(Span<float> output, Span<float> mean, Span<float> rstd, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int n, int c, float eps, bool centered)
    {
        unsafe
        {
            fixed (float* o = output, mu = mean, rs = rstd, x = input, w = weight, bb = bias)
            {
                nint oP = (nint)o, muP = (nint)mu, rsP = (nint)rs, xP = (nint)x, wP = (nint)w, bP = (nint)bb;
                bool hasBias = !bias.IsEmpty;
                FixedChunks.For(n, (_, start, end) =>
                {
                    var wv = new ReadOnlySpan<float>((float*)wP, c);
                    var bv = new ReadOnlySpan<float>((float*)bP, hasBias ? c : 0);
                    for (int r = start; r < end; r++)
                    {
                        var xr = new ReadOnlySpan<float>((float*)xP + (long)r * c, c);
                        var orow = new Span<float>((float*)oP + (long)r * c, c);
                        float m = centered ? LaneSums.Sum(xr) / c : 0f;
                        TensorPrimitives.Subtract(xr, m, orow);
                        float var = LaneSums.SumOfSquares(orow) / c;
                        float s = 1f / MathF.Sqrt(var + eps);
                        TensorPrimitives.Multiply(orow, s, orow);
                        if (hasBias) TensorPrimitives.FusedMultiplyAdd(orow, wv, bv, orow);
                        else TensorPrimitives.Multiply(orow, wv, orow);
                        ((float*)muP)[r] = m;
                        ((float*)rsP)[r] = s;
                    }
                }, minPerChunk: 32);
            }
        }
    }

    /// <summary>Accumulates dinput [N,C], dweight [C] and dbias [C] (when not empty).</summary>
    public static void Backward(Span<float> dinput, Span<float> dweight, Span<float> dbias, ReadOnlySpan<float> dout, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, int n, int c, bool centered)
    {
        unsafe
        {
            fixed (float* di = dinput, dy = dout, x = input, w = weight, mu = mean, rs = rstd)
            {
                nint diP = (nint)di, dyP = (nint)dy, xP = (nint)x, wP = (nint)w, muP = (nint)mu, rsP = (nint)rs;
                bool hasBias = !dbias.IsEmpty;
                // Partial layout: [dweight (C) | dbias (C)].
                var sums = FixedChunks.ColumnSums(n, 2 * c, (start, end, partial) =>
                {
                    var wv = new ReadOnlySpan<float>((float*)wP, c);
                    Span<float> norm = c <= 2048 ? stackalloc float[c] : new float[c];
                    Span<float> dnorm = c <= 2048 ? stackalloc float[c] : new float[c];
                    var pw = partial.AsSpan(0, c);
                    var pb = partial.AsSpan(c, c);
                    for (int r = start; r < end; r++)
                    {
                        var xr = new ReadOnlySpan<float>((float*)xP + (long)r * c, c);
                        var dyr = new ReadOnlySpan<float>((float*)dyP + (long)r * c, c);
                        var dir = new Span<float>((float*)diP + (long)r * c, c);
                        float m = ((float*)muP)[r], s = ((float*)rsP)[r];
                        TensorPrimitives.Subtract(xr, m, norm);
                        TensorPrimitives.Multiply(norm, s, norm);
                        TensorPrimitives.Multiply(wv, dyr, dnorm);
                        float dnormMean = centered ? LaneSums.Sum(dnorm) / c : 0f;
                        float dnormNormMean = LaneSums.Dot(dnorm, norm) / c;
                        InputGradient(dir, dnorm, norm, dnormMean, dnormNormMean, s);
                        TensorPrimitives.FusedMultiplyAdd(dyr, norm, pw, pw);
                        TensorPrimitives.Add(pb, dyr, pb);
                    }
                });
                TensorPrimitives.Add(dweight, sums.AsSpan(0, c), dweight);
                if (hasBias) TensorPrimitives.Add(dbias, sums.AsSpan(c, c), dbias);
            }
        }
    }

    /// <summary>
    /// dx[j] += (dnorm[j] − dnormMean − norm[j]·dnormNormMean)·s, in vector lanes with the scalar's operations in the
    /// scalar's order (no fused multiply-add), so every element gets the same bits on any width.
    /// </summary>
    private static void InputGradient(Span<float> dx, ReadOnlySpan<float> dnorm, ReadOnlySpan<float> norm, float dnormMean, float dnormNormMean, float s)
    {
        int c = dx.Length, j = 0;
        var vm = new Lanes(dnormMean);
        var vn = new Lanes(dnormNormMean);
        var vs = new Lanes(s);
        for (; j <= c - Lanes.Count; j += Lanes.Count)
        {
            var d = new Lanes(dnorm[j..]) - vm - new Lanes(norm[j..]) * vn;
            (new Lanes(dx[j..]) + d * vs).CopyTo(dx[j..]);
        }
        for (; j < c; j++) dx[j] += (dnorm[j] - dnormMean - norm[j] * dnormNormMean) * s;
    }
}
