using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class ElementwiseTests
{
    private const int Rows = 37, Cols = 29;

    /// <summary>An elementwise nonlinearity: its double reference and its backend ops.</summary>
    private sealed record Activation(
        string Name,
        Action<double[], double[]> ReferenceForward,
        Action<double[], double[], double[]> ReferenceBackward,
        Action<IBackend, Tensors.Tensor, Tensors.Tensor> Forward,
        Action<IBackend, Tensors.Tensor, Tensors.Tensor, Tensors.Tensor> Backward);

    private static readonly Activation Gelu = new("gelu", (o, x) => ReferenceOps.GeluForward(o, x), (dx, x, dy) => ReferenceOps.GeluBackward(dx, x, dy), (be, o, x) => be.GeluForward(o, x), (be, dx, x, dy) => be.GeluBackward(dx, x, dy));

    private static readonly Activation Relu = new("relu", (o, x) => ReferenceOps.ReluForward(o, x), (dx, x, dy) => ReferenceOps.ReluBackward(dx, x, dy), (be, o, x) => be.ReluForward(o, x), (be, dx, x, dy) => be.ReluBackward(dx, x, dy));

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Gelu_matches_reference_and_finite_differences(string backend) => CheckActivation(backend, Gelu, 1);

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Relu_matches_reference_and_finite_differences(string backend)
    {
        double[] x = RandomF(8, 3, 3.0), o = new double[8];
        ReferenceOps.ReluForward(o, x);
        Assert.Equal(x.Select(v => Math.Max(0, v)), o);
        CheckActivation(backend, Relu, 13);
    }

    /// <summary>Forward and accumulating backward against the double reference, and the reference backward against finite differences.</summary>
    private static void CheckActivation(string backend, Activation act, ulong seed)
    {
        using var be = TestBackends.Create(backend);
        double[] x = RandomF(Rows * Cols, seed, 3.0), dy = RandomF(Rows * Cols, seed + 1);
        double[] o = new double[x.Length], dx = Enumerable.Repeat(0.5, x.Length).ToArray();
        act.ReferenceForward(o, x);
        act.ReferenceBackward(dx, x, dy);
        var tx = Upload(be, x);
        var to = Upload(be, new double[x.Length]);
        act.Forward(be, to, tx);
        Close(o, Download(to), 1e-6, act.Name);
        // Backward accumulates: start from a non-zero gradient.
        var tdx = Upload(be, Enumerable.Repeat(0.5, x.Length).ToArray());
        act.Backward(be, tdx, tx, Upload(be, dy));
        Close(dx, Download(tdx), 1e-5, act.Name + " backward");

        double[] small = x[..20], dsmall = dy[..20];
        Assert.Contains(small, v => v < 0);
        Assert.Contains(small, v => v > 0);
        double[] F(double[] v)
        {
            var r = new double[v.Length];
            act.ReferenceForward(r, v);
            return r;
        }
        var tds = Upload(be, new double[20]);
        act.Backward(be, tds, Upload(be, small), Upload(be, dsmall));
        Close(NumericalGradient(F, small, dsmall), Download(tds), 1e-5, act.Name + " finite differences");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Residual_add_and_accumulate(string backend)
    {
        using var be = TestBackends.Create(backend);
        double[] a = RandomF(Rows * Cols, 3), b = RandomF(Rows * Cols, 4);
        var to = Upload(be, new double[a.Length]);
        be.Add(to, Upload(be, a), Upload(be, b));
        Close(a.Zip(b, (x, y) => x + y).ToArray(), Download(to), 1e-7, "add");
        // The residual's backward is accumulation into both inputs' gradients.
        be.Accumulate(to, Upload(be, a));
        Close(a.Zip(b, (x, y) => 2 * x + y).ToArray(), Download(to), 1e-7, "accumulate");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Bias_forward_and_backward(string backend)
    {
        using var be = TestBackends.Create(backend);
        double[] x = RandomF(Rows * Cols, 5), bias = RandomF(Cols, 6), dy = RandomF(Rows * Cols, 7);
        var expected = (double[])x.Clone();
        ReferenceOps.AddBias(expected, bias, Rows, Cols);
        var tx = Upload(be, x);
        be.AddBias(tx, Upload(be, bias), Rows, Cols);
        Close(expected, Download(tx), 1e-7, "bias");

        double[] F(double[] bv)
        {
            var r = (double[])x.Clone();
            ReferenceOps.AddBias(r, bv, Rows, Cols);
            return r;
        }
        var tdb = Upload(be, new double[Cols]);
        be.BiasBackward(tdb, Upload(be, dy), Rows, Cols);
        Close(NumericalGradient(F, bias, dy), Download(tdb), 1e-5, "bias backward");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Dropout_mask_matches_reference_and_backward_uses_it(string backend)
    {
        const float p = 0.3f;
        const ulong seed = 99;
        using var be = TestBackends.Create(backend);
        double[] x = RandomF(Rows * Cols, 8), dy = RandomF(Rows * Cols, 9);
        var expected = (double[])x.Clone();
        ReferenceOps.DropoutForward(expected, p, seed);
        var tx = Upload(be, x);
        be.DropoutForward(tx, p, seed);
        Close(expected, Download(tx), 1e-7, "dropout");
        double dropped = expected.Count(v => v == 0) / (double)expected.Length;
        Assert.InRange(dropped, p - 0.05, p + 0.05);

        double[] F(double[] v)
        {
            var r = (double[])v.Clone();
            ReferenceOps.DropoutForward(r, p, seed);
            return r;
        }
        var tdx = Upload(be, new double[x.Length]);
        be.DropoutBackward(tdx, Upload(be, dy), p, seed);
        Close(NumericalGradient(F, x[..x.Length].ToArray(), dy), Download(tdx), 1e-5, "dropout backward");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Row_dot_products_match_reference(string backend)
    {
        using var be = TestBackends.Create(backend);
        double[] a = RandomF(Rows * Cols, 11), b = RandomF(Rows * Cols, 12);
        var expected = new double[Rows];
        ReferenceOps.RowDot(expected, a, b, Rows, Cols);
        var to = Upload(be, new double[Rows]);
        be.RowDot(to, Upload(be, a), Upload(be, b), Rows, Cols);
        Close(expected, Download(to), 1e-5, "row dot");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Reductions_match_double_sums(string backend)
    {
        using var be = TestBackends.Create(backend);
        double[] x = RandomF(50_001, 10);
        var tx = Upload(be, x);
        Assert.Equal(x.Sum(v => v * v), be.SumOfSquares(tx), 1e-6 * x.Length);
        Assert.Equal(x.Sum(), be.Sum(tx), 1e-6 * x.Length);
    }
}
