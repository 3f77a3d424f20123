using System.Runtime.Intrinsics;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// The fused row passes of attention's softmax and its backward: one pass each where a chain of whole-row calls would
/// read and write the row several times. Rows are short (one query's visible keys), so the saved passes and calls count.
/// </summary>
internal static class SoftmaxRows
{
    private static readonly bool Wide = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// row[j] ← exp(a·row[j] − b), with a &gt; 0; returns Σ_j of the new values. Every element, the tail included, goes
    /// through <see cref="VectorExp"/> (the tail on a copy padded with −∞, whose lanes come out 0), so an element's value
    /// does not depend on where the row ends; the sum is formed in <see cref="LaneSums"/>' 16 lanes on either width.
    /// </summary>
    public static float Exp(Span<float> row, float a, float b) => Exp(row, a, b, Wide);

    /// <summary>As above, on the path the caller names (tests run both on one machine).</summary>
    internal static float Exp(Span<float> row, float a, float b, bool wide)
    {
        int n = row.Length, i = 0;
        Span<float> tail = stackalloc float[16];
        if (wide)
        {
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            var sum = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var e = VectorExp.Exp(va * Vector512.Create<float>(row.Slice(i, 16)) - vb);
                e.CopyTo(row.Slice(i, 16));
                sum += e;
            }
            if (i < n)
            {
                tail.Fill(float.NegativeInfinity);
                row[i..].CopyTo(tail);
                var e = VectorExp.Exp(va * Vector512.Create<float>(tail) - vb);
                e.CopyTo(tail);
                tail[..(n - i)].CopyTo(row[i..]);
                sum += e;
            }
            return LaneSums.Fold(sum);
        }
        else
        {
            // Two 8-lane halves stand in for one 16-lane vector, so that each element lands in the same lane of the
            // sum as on the wide path.
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            Vector256<float> lo = Vector256<float>.Zero, hi = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var el = VectorExp.Exp(va * Vector256.Create<float>(row.Slice(i, 8)) - vb);
                var eh = VectorExp.Exp(va * Vector256.Create<float>(row.Slice(i + 8, 8)) - vb);
                el.CopyTo(row.Slice(i, 8));
                eh.CopyTo(row.Slice(i + 8, 8));
                lo += el;
                hi += eh;
            }
            if (i < n)
            {
                tail.Fill(float.NegativeInfinity);
                row[i..].CopyTo(tail);
                var el = VectorExp.Exp(va * Vector256.Create<float>(tail[..8]) - vb);
                var eh = VectorExp.Exp(va * Vector256.Create<float>(tail[8..]) - vb);
                el.CopyTo(tail);
                eh.CopyTo(tail[8..]);
                tail[..(n - i)].CopyTo(row[i..]);
                lo += el;
                hi += eh;
            }
            return LaneSums.Fold(lo, hi);
        }
    }

    /// <summary>ds[j] ← (ds[j] − dot)·p[j]·scale: dS from dP, P and the row's Σ P⊙dP.</summary>
    public static void ScoreGradient(Span<float> ds, ReadOnlySpan<float> p, float dot, float scale)
    {
        int n = ds.Length, i = 0;
        if (Wide)
        {
            var vd = Vector512.Create(dot);
            var vs = Vector512.Create(scale);
            for (; i <= n - 16; i += 16)
                ((Vector512.Create<float>(ds.Slice(i, 16)) - vd) * Vector512.Create(p.Slice(i, 16)) * vs).CopyTo(ds.Slice(i, 16));
        }
        else
        {
            var vd = Vector256.Create(dot);
            var vs = Vector256.Create(scale);
            for (; i <= n - 8; i += 8)
                ((Vector256.Create<float>(ds.Slice(i, 8)) - vd) * Vector256.Create(p.Slice(i, 8)) * vs).CopyTo(ds.Slice(i, 8));
        }
        for (; i < n; i++) ds[i] = (ds[i] - dot) * p[i] * scale;
    }
}
