using NativeCore.Kernels;

namespace NativeCore.Model;

/// <summary>Standard normal samples from the counter hash (Box–Muller): value i of stream s is the same on every machine.</summary>
public static class Gaussian
{
    /// <summary>The <paramref name="index"/>-th N(0,1) sample of stream <paramref name="seed"/>.</summary>
    public static double Sample(ulong seed, ulong index)
    {
        double u1 = ((CounterHash.Mix(seed, 2 * index) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
        double u2 = (CounterHash.Mix(seed, 2 * index + 1) >> 11) * (1.0 / 9007199254740992.0);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
