using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class AdamWTests
{
    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Three_steps_match_reference(string backend)
    {
        const int n = 1037;
        using var be = TestBackends.Create(backend);
        double[] p = RandomF(n, 1), m = new double[n], v = new double[n];
        var tp = Upload(be, p);
        var tm = Upload(be, m);
        var tv = Upload(be, v);
        for (int step = 1; step <= 3; step++)
        {
            double[] g = RandomF(n, 10 + (ulong)step);
            var s = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-3f, 0.1f, step, 0.5f);
            ReferenceOps.AdamW(p, g, m, v, s);
            be.AdamW(tp, Upload(be, g), tm, tv, s);
        }
        Close(p, Download(tp), 1e-6, "param");
        Close(m, Download(tm), 1e-6, "m");
        Close(v, Download(tv), 1e-6, "v");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Sgd_momentum_matches_reference_over_three_steps(string backend)
    {
        const int n = 1037;
        using var be = TestBackends.Create(backend);
        double[] p = RandomF(n, 2), m = new double[n];
        var tp = Upload(be, p);
        var tm = Upload(be, m);
        for (int step = 1; step <= 3; step++)
        {
            double[] g = RandomF(n, 20 + (ulong)step);
            ReferenceOps.SgdMomentum(p, g, m, 0.05f, 0.9f, 0.5f);
            be.SgdMomentum(tp, Upload(be, g), tm, 0.05f, 0.9f, 0.5f);
        }
        Close(p, Download(tp), 1e-6, "param");
        Close(m, Download(tm), 1e-6, "momentum");
    }

    [Fact]
    public void Reference_sgd_momentum_follows_pytorch()
    {
        // Two steps with g = 1: m = 1 then 1.9; p = 1 − 0.1 − 0.19.
        double[] p = [1], m = [0];
        ReferenceOps.SgdMomentum(p, [1.0], m, 0.1, 0.9, 1.0);
        ReferenceOps.SgdMomentum(p, [1.0], m, 0.1, 0.9, 1.0);
        Assert.Equal(1.9, m[0], 12);
        Assert.Equal(0.71, p[0], 12);
    }

    [Fact]
    public void Reference_first_step_moves_each_weight_by_lr_times_sign()
    {
        // With bias correction, step 1 is lr·g/(|g| + eps·…) ≈ lr·sign(g) for |g| ≫ eps: an independent check of the formula.
        double[] p = [1, 1, 1], g = [3, -2, 5], m = new double[3], v = new double[3];
        ReferenceOps.AdamW(p, g, m, v, new AdamWStep(0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, 1f));
        Assert.Equal(0.9, p[0], 6);
        Assert.Equal(1.1, p[1], 6);
        Assert.Equal(0.9, p[2], 6);
    }
}
