using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class GemmTests
{
    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        // Odd sizes that are multiples of no block size; the larger ones cross the KC, MC and NR block edges; M < K too.
        int[][] shapes = [[37, 45, 29], [1, 45, 29], [5, 300, 3], [130, 300, 70], [7, 1, 33]];
        foreach (string be in BackendRegistry.Names)
            foreach (var s in shapes)
                if (!TestBackends.IsEmulator(be) || (long)s[0] * s[1] * s[2] <= 50_000) data.Add(be, s[0], s[1], s[2]);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Matches_reference_for_every_transpose_and_beta(string backend, int m, int k, int n)
    {
        using var be = TestBackends.Create(backend);
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach (float beta in new[] { 0f, 1f })
        {
            double[] a = RandomF(m * k, 1), b = RandomF(k * n, 2), c = RandomF(m * n, 3);
            var expected = (double[])c.Clone();
            ReferenceOps.Gemm(ta, tb, m, n, k, a, b, beta, expected);
            var tc = Upload(be, c, m, n);
            be.Gemm(ta, tb, m, n, k, Upload(be, a), Upload(be, b), beta, tc);
            Close(expected, Download(tc), 1e-5, $"gemm {backend} {m}x{k}x{n} transA={ta} transB={tb} beta={beta}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Backward_products_match_finite_differences(string backend)
    {
        // The three products a Linear layer's backward needs: dA = dC·Bᵀ, dB = Aᵀ·dC.
        const int m = 7, k = 5, n = 6;
        using var be = TestBackends.Create(backend);
        double[] a = RandomF(m * k, 4), b = RandomF(k * n, 5), dc = RandomF(m * n, 6);
        double[] Forward(double[] av, double[] bv)
        {
            var c = new double[m * n];
            ReferenceOps.Gemm(false, false, m, n, k, av, bv, 0, c);
            return c;
        }
        var da = Upload(be, new double[m * k], m, k);
        var db = Upload(be, new double[k * n], k, n);
        be.Gemm(false, true, m, k, n, Upload(be, dc), Upload(be, b), 1f, da);
        be.Gemm(true, false, k, n, m, Upload(be, a), Upload(be, dc), 1f, db);
        Close(NumericalGradient(x => Forward(x, b), a, dc), Download(da), 1e-5, "dA");
        Close(NumericalGradient(x => Forward(a, x), b, dc), Download(db), 1e-5, "dB");
    }

    [Fact]
    public void Cpu_gemm_is_bit_identical_across_runs()
    {
        using var be = BackendRegistry.Create("cpu");
        const int m = 300, k = 257, n = 129;
        double[] a = RandomF(m * k, 7), b = RandomF(k * n, 8);
        float[] Run()
        {
            var c = Upload(be, new double[m * n], m, n);
            be.Gemm(false, true, m, n, k, Upload(be, a), Upload(be, b), 0f, c);
            return c.ToArray();
        }
        Assert.Equal(Run(), Run());
    }
}
