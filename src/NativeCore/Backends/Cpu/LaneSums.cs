using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// Sums, sums of squares and dot products of float rows that give the same bits on the 256-bit and the 512-bit path.
/// Element i always goes to lane i mod 16 (one Vector512, or two Vector256 side by side), each lane adds its elements
/// in order, and the 16 lanes are folded in one fixed tree (<see cref="Fold(Vector256{float}, Vector256{float})"/>).
/// </summary>
/// <remarks>
/// TensorPrimitives.Sum and Dot accumulate in as many lanes as the widest vector the machine has, so a row summed on
/// an AVX2 machine and on an AVX-512 machine rounds differently, and a training run's bits would depend on where it
/// ran. Products go through fused multiply-adds in every lane and in the tail alike.
/// </remarks>
internal static class LaneSums
{
    private const int Lanes = 16;

    private static readonly bool Wide = Vector512.IsHardwareAccelerated;

    /// <summary>Σ x[i].</summary>
    public static float Sum(ReadOnlySpan<float> x) => Reduce(x, x, product: false, Wide);

    /// <summary>Σ x[i]².</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x) => Reduce(x, x, product: true, Wide);

    /// <summary>Σ a[i]·b[i] over equal-length rows.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"rows of {a.Length} and {b.Length} floats");
        return Reduce(a, b, product: true, Wide);
    }

    /// <summary>
    /// Σ a[i]·b[i] (or Σ a[i] when not <paramref name="product"/>) on the path the caller names, so that tests run both
    /// on one machine (where AVX-512 is absent, the wide path runs in software, with the same arithmetic).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Reduce(ReadOnlySpan<float> a, ReadOnlySpan<float> b, bool product, bool wide)
    {
        int n = a.Length, i = 0;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        Span<float> lanes = stackalloc float[Lanes];
        if (wide)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - Lanes; i += Lanes)
            {
                var va = Vector512.LoadUnsafe(ref ra, (nuint)i);
                acc = product ? Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref rb, (nuint)i), acc) : acc + va;
            }
            acc.CopyTo(lanes);
        }
        else
        {
            Vector256<float> lo = Vector256<float>.Zero, hi = Vector256<float>.Zero;
            for (; i <= n - Lanes; i += Lanes)
            {
                var al = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var ah = Vector256.LoadUnsafe(ref ra, (nuint)(i + 8));
                if (product)
                {
                    lo = Vector256.FusedMultiplyAdd(al, Vector256.LoadUnsafe(ref rb, (nuint)i), lo);
                    hi = Vector256.FusedMultiplyAdd(ah, Vector256.LoadUnsafe(ref rb, (nuint)(i + 8)), hi);
                }
                else
                {
                    lo += al;
                    hi += ah;
                }
            }
            lo.CopyTo(lanes);
            hi.CopyTo(lanes[8..]);
        }
        for (int j = 0; i < n; i++, j++)
            lanes[j] = product ? MathF.FusedMultiplyAdd(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i), lanes[j]) : lanes[j] + Unsafe.Add(ref ra, i);
        return Fold(Vector256.Create<float>(lanes[..8]), Vector256.Create<float>(lanes[8..]));
    }

    /// <summary>The sum of 16 lanes held as one vector, in the fixed tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fold(Vector512<float> lanes) => Fold(lanes.GetLower(), lanes.GetUpper());

    /// <summary>The sum of 16 lanes held as two halves (lanes 0–7 and 8–15), in the fixed tree: lane j + lane j + 8, then halving.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fold(Vector256<float> low, Vector256<float> high)
    {
        var eight = low + high;
        var four = eight.GetLower() + eight.GetUpper();
        float l0 = four.GetElement(0) + four.GetElement(2), l1 = four.GetElement(1) + four.GetElement(3);
        return l0 + l1;
    }
}
