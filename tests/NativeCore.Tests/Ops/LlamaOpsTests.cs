using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class LlamaOpsTests
{
    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void SwiGlu_matches_reference_and_finite_differences(string backend)
    {
        const int n = 13, h = 11;
        using var be = TestBackends.Create(backend);
        double[] x = RandomF(n * 2 * h, 1, 3.0), dy = RandomF(n * h, 2);
        double[] F(double[] v)
        {
            var o = new double[n * h];
            ReferenceOps.SwiGluForward(o, v, n, h);
            return o;
        }
        var expected = F(x);
        // silu(g)·u, written out independently for one element.
        Assert.Equal(x[5] / (1 + Math.Exp(-x[5])) * x[h + 5], expected[5], 12);
        var tx = Upload(be, x);
        var to = Upload(be, new double[n * h]);
        be.SwiGluForward(to, tx, n, h);
        Close(expected, Download(to), 1e-5, "swiglu");

        var dx = new double[x.Length];
        ReferenceOps.SwiGluBackward(dx, x, dy, n, h);
        Close(NumericalGradient(F, x, dy), dx, 1e-6, "reference swiglu backward vs finite differences");
        var tdx = Upload(be, new double[x.Length]);
        be.SwiGluBackward(tdx, tx, Upload(be, dy), n, h);
        Close(dx, Download(tdx), 1e-5, "swiglu backward");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Rope_matches_reference_and_its_inverse_is_the_backward(string backend)
    {
        const int b = 2, t = 7, c = 12, nh = 2;
        using var be = TestBackends.Create(backend);
        double[] qkv = RandomF(b * t * 3 * c, 3), dy = RandomF(qkv.Length, 4);
        double[] F(double[] v)
        {
            var o = (double[])v.Clone();
            ReferenceOps.Rope(o, b, t, c, nh, 10000, inverse: false);
            return o;
        }
        var expected = F(qkv);
        var tq = Upload(be, qkv);
        be.Rope(tq, b, t, c, nh, 10000f, inverse: false);
        Close(expected, Download(tq), 1e-5, "rope");
        // v is untouched, and position 0 is not rotated.
        for (int j = 2 * c; j < 3 * c; j++) Assert.Equal(qkv[j], expected[j]);
        for (int j = 0; j < 2 * c; j++) Assert.Equal(qkv[j], expected[j], 12);

        // The backward of a rotation is the inverse rotation of the gradient.
        var td = Upload(be, dy);
        be.Rope(td, b, t, c, nh, 10000f, inverse: true);
        Close(NumericalGradient(F, qkv, dy), Download(td), 1e-5, "rope backward vs finite differences");
        be.Rope(tq, b, t, c, nh, 10000f, inverse: true);
        Close(qkv, Download(tq), 1e-5, "inverse undoes the rotation");
    }

    [Fact]
    public void Rope_scores_depend_only_on_relative_position()
    {
        const int t = 9, c = 8, nh = 1;
        double[] q = Random(c, 5), k = Random(c, 6);
        double Score(int qPos, int kPos)
        {
            var qkv = new double[t * 3 * c];
            q.CopyTo(qkv, qPos * 3 * c);
            k.CopyTo(qkv, kPos * 3 * c + c);
            ReferenceOps.Rope(qkv, 1, t, c, nh, 10000, inverse: false);
            return qkv.AsSpan(qPos * 3 * c, c).ToArray().Zip(qkv.AsSpan(kPos * 3 * c + c, c).ToArray(), (x, y) => x * y).Sum();
        }
        Assert.Equal(Score(5, 2), Score(7, 4), 10);
        Assert.NotEqual(Score(5, 2), Score(5, 3), 6);
    }
}
