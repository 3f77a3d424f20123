using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Tests;

/// <summary>Random data, device round trips and the error measure shared by the op tests.</summary>
internal static class Numerics
{
    public static double[] Random(int n, ulong seed, double scale = 1.0)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = scale * Gaussian.Sample(seed, (ulong)i);
        return x;
    }

    /// <summary>Doubles rounded to float, so that the reference and the backend see identical inputs.</summary>
    public static double[] RandomF(int n, ulong seed, double scale = 1.0) => Random(n, seed, scale).Select(v => (double)(float)v).ToArray();

    public static Tensor Upload(IBackend be, double[] values, params int[] shape)
    {
        var t = new Tensor(be.Allocate(values.Length), 0, shape.Length == 0 ? [values.Length] : shape);
        t.CopyFrom(values.Select(v => (float)v).ToArray());
        return t;
    }

    public static DeviceBuffer<int> UploadInts(IBackend be, int[] values)
    {
        var b = be.AllocateInt(values.Length);
        b.CopyFromHost(values);
        return b;
    }

    public static double[] Download(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    /// <summary>max|a − e| / max(max|e|, 1e-6), the golden cases' measure, in double.</summary>
    public static double Error(double[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(actual[i] - expected[i]);
            Assert.False(double.IsNaN(d), $"NaN at element {i}");
            maxDiff = Math.Max(maxDiff, d);
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / Math.Max(maxRef, 1e-6);
    }

    public static void Close(double[] expected, double[] actual, double tolerance, string what)
    {
        double err = Error(actual, expected);
        Assert.True(err <= tolerance, $"{what}: relative error {err:E3} exceeds {tolerance:E1}");
    }

    /// <summary>∂/∂x of Σ r·f(x) by central differences in double precision.</summary>
    public static double[] NumericalGradient(Func<double[], double[]> f, double[] x, double[] r, double eps = 1e-5)
    {
        var g = new double[x.Length];
        var xp = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            double orig = xp[i];
            xp[i] = orig + eps;
            double up = Dot(f(xp), r);
            xp[i] = orig - eps;
            double down = Dot(f(xp), r);
            xp[i] = orig;
            g[i] = (up - down) / (2 * eps);
        }
        return g;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
