using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class CrossEntropyTests
{
    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Forward_and_backward_skip_ignored_targets(string backend)
    {
        const int n = 9, v = 29;
        int[] targets = [3, -1, 0, 28, -1, 7, 7, 1, 15];
        using var be = TestBackends.Create(backend);
        double[] logits = RandomF(n * v, 1, 3.0);
        var losses = new double[n];
        ReferenceOps.CrossEntropyForward(losses, logits, targets, n, v);
        var tt = UploadInts(be, targets);
        var tl = Upload(be, logits);
        var tloss = Upload(be, new double[n]);
        be.CrossEntropyForward(tloss, tl, tt, n, v);
        Close(losses, Download(tloss), 1e-6, "losses");
        Assert.Equal(0.0, Download(tloss)[1]);

        const double scale = 1.0 / 7;
        var td = Upload(be, new double[n * v]);
        be.CrossEntropyBackward(td, tl, tt, n, v, (float)scale);
        double[] F(double[] x)
        {
            var l = new double[n];
            ReferenceOps.CrossEntropyForward(l, x, targets, n, v);
            return l;
        }
        var r = Enumerable.Repeat(scale, n).ToArray();
        var dlogits = Download(td);
        Close(NumericalGradient(F, logits, r), dlogits, 1e-5, "dlogits");
        Assert.All(dlogits.AsSpan(v, v).ToArray(), d => Assert.Equal(0.0, d));
    }
}
