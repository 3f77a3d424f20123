using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class LayerNormTests
{
    private const int N = 37, C = 45;

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Forward_and_backward_match_reference(string backend)
    {
        using var be = TestBackends.Create(backend);
        foreach (var (withBias, centered) in new[] { (true, true), (false, true), (false, false) })
        {
            double[] x = RandomF(N * C, 1, 2.0), w = RandomF(C, 2), bias = withBias ? RandomF(C, 3) : [], dy = RandomF(N * C, 4);
            double[] o = new double[N * C], mu = new double[N], rs = new double[N];
            ReferenceOps.LayerNormForward(o, mu, rs, x, w, bias, N, C, 1e-5, centered);
            double[] dx = new double[N * C], dw = new double[C], db = new double[withBias ? C : 0];
            ReferenceOps.LayerNormBackward(dx, dw, db, dy, x, w, mu, rs, N, C, centered);

            var to = Upload(be, new double[N * C]);
            var tmu = Upload(be, new double[N]);
            var trs = Upload(be, new double[N]);
            var tx = Upload(be, x);
            var tw = Upload(be, w);
            be.LayerNormForward(to, tmu, trs, tx, tw, withBias ? Upload(be, bias) : null, N, C, 1e-5f, centered);
            Close(o, Download(to), 1e-5, $"out (centered {centered})");
            Close(rs, Download(trs), 1e-5, $"rstd (centered {centered})");

            var tdx = Upload(be, new double[N * C]);
            var tdw = Upload(be, new double[C]);
            var tdb = withBias ? Upload(be, new double[C]) : (Tensors.Tensor?)null;
            be.LayerNormBackward(tdx, tdw, tdb, Upload(be, dy), tx, tw, tmu, trs, N, C, centered);
            Close(dx, Download(tdx), 1e-4, $"dx (centered {centered})");
            Close(dw, Download(tdw), 1e-4, $"dw (centered {centered})");
            if (tdb is { } t) Close(db, Download(t), 1e-4, "db");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Backward_matches_finite_differences(string backend)
    {
        foreach (bool centered in new[] { true, false }) CheckFiniteDifferences(backend, centered);
    }

    private static void CheckFiniteDifferences(string backend, bool centered)
    {
        const int n = 3, c = 7;
        using var be = TestBackends.Create(backend);
        double[] x = RandomF(n * c, 5), w = RandomF(c, 6), bias = RandomF(c, 7), dy = RandomF(n * c, 8);
        double[] F(double[] xv, double[] wv, double[] bv)
        {
            double[] o = new double[n * c], mu = new double[n], rs = new double[n];
            ReferenceOps.LayerNormForward(o, mu, rs, xv, wv, bv, n, c, 1e-5, centered);
            return o;
        }
        var tx = Upload(be, x);
        var tw = Upload(be, w);
        var tmu = Upload(be, new double[n]);
        var trs = Upload(be, new double[n]);
        be.LayerNormForward(Upload(be, new double[n * c]), tmu, trs, tx, tw, Upload(be, bias), n, c, 1e-5f, centered);
        var tdx = Upload(be, new double[n * c]);
        var tdw = Upload(be, new double[c]);
        var tdb = Upload(be, new double[c]);
        be.LayerNormBackward(tdx, tdw, tdb, Upload(be, dy), tx, tw, tmu, trs, n, c, centered);
        Close(NumericalGradient(v => F(v, w, bias), x, dy), Download(tdx), 1e-4, "dx");
        Close(NumericalGradient(v => F(x, v, bias), w, dy), Download(tdw), 1e-4, "dw");
        Close(NumericalGradient(v => F(x, w, v), bias, dy), Download(tdb), 1e-4, "db");
    }

    [Fact]
    public void Uncentered_norm_is_rmsnorm()
    {
        const int n = 4, c = 9;
        double[] x = Random(n * c, 9, 3.0), w = Random(c, 10), o = new double[n * c];
        ReferenceOps.LayerNormForward(o, new double[n], new double[n], x, w, [], n, c, 1e-6, centered: false);
        for (int r = 0; r < n; r++)
        {
            double ms = x.Skip(r * c).Take(c).Sum(v => v * v) / c;
            for (int j = 0; j < c; j++) Assert.Equal(x[r * c + j] / Math.Sqrt(ms + 1e-6) * w[j], o[r * c + j], 12);
        }
    }
}
