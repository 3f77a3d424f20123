using NativeCore.Backends.Cpu;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

/// <summary>
/// The cpu GEMM's two micro-kernels, 6×16 with Vector256 and 6×32 with Vector512, each forced on its own: both must
/// match the double reference, and agree with each other bit for bit, on every transpose and beta.
/// </summary>
public sealed unsafe class GemmWidthTests
{
    // The last crosses a super block of k (2,048 rows of B packed and swept together) with a partial second one.
    public static TheoryData<int, int, int> Shapes() => new() { { 37, 45, 29 }, { 130, 300, 70 }, { 7, 1, 33 }, { 200, 64, 520 }, { 40, 2500, 70 } };

    private static float[] Run(bool ta, bool tb, int m, int n, int k, float[] a, float[] b, float[] c0, float beta, int width)
    {
        var c = (float[])c0.Clone();
        fixed (float* ap = a, bp = b, cp = c)
            PackedGemm.Multiply(ta, tb, m, n, k, ap, ta ? m : k, bp, tb ? k : n, beta, cp, n, parallel: true, width);
        return c;
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Both_kernel_widths_match_the_reference_and_each_other(int m, int k, int n)
    {
        bool wide = PackedGemm.DefaultWidth == PackedGemm.Width512;
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach (float beta in new[] { 0f, 1f })
        {
            double[] a = RandomF(m * k, 1), b = RandomF(k * n, 2), c = RandomF(m * n, 3);
            var expected = (double[])c.Clone();
            ReferenceOps.Gemm(ta, tb, m, n, k, a, b, beta, expected);
            float[] af = a.Select(x => (float)x).ToArray(), bf = b.Select(x => (float)x).ToArray(), cf = c.Select(x => (float)x).ToArray();
            var narrow = Run(ta, tb, m, n, k, af, bf, cf, beta, PackedGemm.Width256);
            Close(expected, narrow.Select(x => (double)x).ToArray(), 1e-5, $"256-bit {m}x{k}x{n} transA={ta} transB={tb} beta={beta}");
            if (!wide) continue;
            var broad = Run(ta, tb, m, n, k, af, bf, cf, beta, PackedGemm.Width512);
            Assert.Equal(narrow, broad);
        }
        Skip.IfNot(wide, "this processor runs only the 256-bit kernel; the 512-bit one was not exercised");
    }

    [SkippableFact]
    public void The_512_bit_kernel_is_refused_where_it_cannot_run()
    {
        Skip.If(PackedGemm.DefaultWidth == PackedGemm.Width512, "this processor runs the 512-bit kernel");
        var a = new float[4];
        Assert.Throws<ArgumentOutOfRangeException>(() => Run(false, false, 2, 2, 2, a, a, a, 0f, PackedGemm.Width512));
    }
}
