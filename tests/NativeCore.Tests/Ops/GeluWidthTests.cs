using NativeCore.Backends.Cpu;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

/// <summary>The cpu GELU's 256-bit and 512-bit paths, each forced: the same bits, and both match the double reference.</summary>
public sealed class GeluWidthTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(37)]    // a tail on both widths
    [InlineData(1000)]
    public void Both_widths_give_the_same_bits_and_match_the_reference(int n)
    {
        double[] x = RandomF(n, 21).Select(v => v * 4).ToArray(), dy = RandomF(n, 22);
        float[] xf = x.Select(v => (float)v).ToArray(), dyf = dy.Select(v => (float)v).ToArray();
        float[] Fwd(int width)
        {
            var y = new float[n];
            CpuGelu.Forward(y, xf, width);
            return y;
        }
        float[] Bwd(int width)
        {
            var dx = Enumerable.Repeat(0.5f, n).ToArray();
            CpuGelu.Backward(dx, xf, dyf, width);
            return dx;
        }
        Assert.Equal(Fwd(256), Fwd(512));
        Assert.Equal(Bwd(256), Bwd(512));
        var expected = new double[n];
        ReferenceOps.GeluForward(expected, xf.Select(v => (double)v).ToArray());
        Close(expected, Fwd(256).Select(v => (double)v).ToArray(), 1e-5, "gelu");
        var dexpected = Enumerable.Repeat(0.5, n).ToArray();
        ReferenceOps.GeluBackward(dexpected, xf.Select(v => (double)v).ToArray(), dyf.Select(v => (double)v).ToArray());
        Close(dexpected, Bwd(256).Select(v => (double)v).ToArray(), 1e-5, "gelu backward");
    }

    [Fact]
    public void Large_inputs_saturate_without_overflow()
    {
        float[] x = [-1000f, -60f, 60f, 1000f], y = new float[4], dx = new float[4];
        CpuGelu.Forward(y, x, CpuGelu.DefaultWidth);
        CpuGelu.Backward(dx, x, [1f, 1f, 1f, 1f], CpuGelu.DefaultWidth);
        Assert.Equal([0f, 0f, 60f, 1000f], y.Select(v => v == 0f ? 0f : v).ToArray());
        Assert.Equal([0f, 0f, 1f, 1f], dx.Select(v => MathF.Round(v, 6) == 0f ? 0f : MathF.Round(v, 6)).ToArray());
    }
}
