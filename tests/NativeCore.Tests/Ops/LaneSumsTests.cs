using NativeCore.Backends.Cpu;

namespace NativeCore.Tests.Ops;

/// <summary>
/// The row sums behind layer norm, attention's backward and the softmax: close to a double-precision sum, and the same
/// bits on the 256-bit and 512-bit paths at every length (whole 16-lane blocks, tails, and rows shorter than a block).
/// </summary>
public sealed class LaneSumsTests
{
    private static float[] Row(int n, ulong seed)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(Kernels.CounterHash.Mix(seed, (ulong)i) % 20001 / 10000.0 - 1.0) * (i % 7 == 0 ? 300f : 1f);
        return x;
    }

    public static TheoryData<int> Lengths => new() { 1, 5, 8, 15, 16, 17, 31, 32, 64, 70, 128, 384, 1000 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sums_and_dots_match_double_and_agree_bit_for_bit_on_both_widths(int n)
    {
        float[] a = Row(n, 11), b = Row(n, 12);
        double sum = 0, dot = 0, squares = 0, magnitude = 0, dotMagnitude = 0;
        for (int i = 0; i < n; i++)
        {
            sum += a[i];
            magnitude += Math.Abs(a[i]);
            dot += (double)a[i] * b[i];
            dotMagnitude += Math.Abs((double)a[i] * b[i]);
            squares += (double)a[i] * a[i];
        }
        foreach (bool wide in new[] { false, true })
        {
            Assert.True(Math.Abs(LaneSums.Reduce(a, a, product: false, wide) - sum) <= 1e-6 * magnitude * Math.Sqrt(n) + 1e-30, $"sum, n={n}, wide={wide}");
            Assert.True(Math.Abs(LaneSums.Reduce(a, b, product: true, wide) - dot) <= 1e-6 * dotMagnitude * Math.Sqrt(n) + 1e-30, $"dot, n={n}, wide={wide}");
            Assert.True(Math.Abs(LaneSums.Reduce(a, a, product: true, wide) - squares) <= 1e-6 * squares * Math.Sqrt(n), $"squares, n={n}, wide={wide}");
        }
        Assert.Equal(BitConverter.SingleToInt32Bits(LaneSums.Reduce(a, a, false, wide: false)), BitConverter.SingleToInt32Bits(LaneSums.Reduce(a, a, false, wide: true)));
        Assert.Equal(BitConverter.SingleToInt32Bits(LaneSums.Reduce(a, b, true, wide: false)), BitConverter.SingleToInt32Bits(LaneSums.Reduce(a, b, true, wide: true)));
        Assert.Equal(BitConverter.SingleToInt32Bits(LaneSums.Reduce(a, a, true, wide: false)), BitConverter.SingleToInt32Bits(LaneSums.Reduce(a, a, true, wide: true)));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void A_softmax_row_gets_the_same_values_and_sum_on_both_widths(int n)
    {
        float[] x = Row(n, 13);
        float max = x.Max();
        float[] narrow = (float[])x.Clone(), wide = (float[])x.Clone();
        float sumNarrow = SoftmaxRows.Exp(narrow, 0.25f, 0.25f * max, wide: false);
        float sumWide = SoftmaxRows.Exp(wide, 0.25f, 0.25f * max, wide: true);
        Assert.Equal(narrow.Select(BitConverter.SingleToInt32Bits), wide.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(BitConverter.SingleToInt32Bits(sumNarrow), BitConverter.SingleToInt32Bits(sumWide));
        double exact = x.Sum(v => Math.Exp(0.25 * v - 0.25 * max));
        Assert.True(Math.Abs(sumWide - exact) <= 1e-5 * exact, $"n={n}: {sumWide} against {exact}");
    }
}
