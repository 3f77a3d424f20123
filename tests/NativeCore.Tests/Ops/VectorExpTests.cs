using System.Runtime.Intrinsics;
using NativeCore.Backends.Cpu;

namespace NativeCore.Tests.Ops;

/// <summary>The float exp behind the cpu softmax and GELU: accuracy against double, its edges, and one answer on both widths.</summary>
public sealed class VectorExpTests
{
    private static float[] Inputs()
    {
        var xs = new List<float>();
        for (double x = -90; x <= 88; x += 0.0137) xs.Add((float)x);
        xs.AddRange([0f, -0f, 1e-8f, -1e-8f, 0.34657359f, -0.34657359f, 88f, 88.5f, 1000f, -87.29f, -1000f]);
        while (xs.Count % 16 != 0) xs.Add(0.5f);
        return xs.ToArray();
    }

    private static float[] Run(float[] xs, int width)
    {
        var ys = new float[xs.Length];
        for (int i = 0; i < xs.Length; i += 16)
        {
            if (width == 512) VectorExp.Exp(Vector512.Create(xs.AsSpan(i, 16))).CopyTo(ys.AsSpan(i, 16));
            else
            {
                VectorExp.Exp(Vector256.Create(xs.AsSpan(i, 8))).CopyTo(ys.AsSpan(i, 8));
                VectorExp.Exp(Vector256.Create(xs.AsSpan(i + 8, 8))).CopyTo(ys.AsSpan(i + 8, 8));
            }
        }
        return ys;
    }

    [Fact]
    public void Matches_double_exp_within_three_ulp_and_saturates_outside_the_normal_range()
    {
        var xs = Inputs();
        var ys = Run(xs, 256);
        for (int i = 0; i < xs.Length; i++)
        {
            double exact = Math.Exp(xs[i]);
            if (xs[i] < -87.3f)
            {
                Assert.Equal(0f, ys[i]);
                continue;
            }
            if (xs[i] > 88f)
            {
                Assert.Equal(float.PositiveInfinity, ys[i]);
                continue;
            }
            double ulp = MathF.BitIncrement((float)exact) - (float)exact;
            Assert.True(Math.Abs(ys[i] - exact) <= 3 * ulp, $"exp({xs[i]:R}) = {ys[i]:R}, expected {exact:R}, off by {Math.Abs(ys[i] - exact) / ulp:F1} ulp");
        }
    }

    [Fact]
    public void Propagates_nan_so_that_a_diverged_run_is_still_caught()
    {
        var xs = Enumerable.Repeat(float.NaN, 16).ToArray();
        Assert.All(Run(xs, 256), y => Assert.True(float.IsNaN(y)));
        if (Vector512.IsHardwareAccelerated) Assert.All(Run(xs, 512), y => Assert.True(float.IsNaN(y)));
    }

    [SkippableFact]
    public void Both_widths_give_the_same_bits()
    {
        Skip.IfNot(Vector512.IsHardwareAccelerated, "this processor runs only the 256-bit version");
        var xs = Inputs();
        Assert.Equal(Run(xs, 256), Run(xs, 512));
    }
}
