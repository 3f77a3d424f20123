using System.Runtime.Intrinsics;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// The tanh-approximation GELU, forward and backward, in one pass per element. It uses the identity
/// 0.5·x·(1 + tanh u) = x·σ(2u), so each element costs one vector exp (<see cref="VectorExp"/>) instead of a chain of
/// whole-span passes.
/// </summary>
/// <remarks>
/// Every element, the tail included, goes through the same vector code, and the 256-bit and 512-bit paths do the same
/// operations per lane in the same order (the only fused multiply-adds are VectorExp's, explicit on both), so results
/// are the same bits whatever the vector width, and a run on an AVX2 machine matches one on an AVX-512 machine.
/// </remarks>
internal static class CpuGelu
{
    private const float Scale = 0.7978845608028654f;   // √(2/π)
    private const float Cubic = 0.044715f;

    /// <summary>Elements per parallel chunk below which the work stays on one thread.</summary>
    private const int MinPerChunk = 8192;

    /// <summary>The vector width (bits) this process uses.</summary>
    internal static readonly int DefaultWidth = Vector512.IsHardwareAccelerated ? 512 : 256;

    /// <summary>out ← GELU(x).</summary>
    public static void Forward(HostView output, HostView input) =>
        FixedChunks.For(input.Length, (_, s, e) => Forward(output.Slice(s, e - s), input.Slice(s, e - s), DefaultWidth), MinPerChunk);

    /// <summary>dinput += GELU′(x)·dout.</summary>
    public static void Backward(HostView dinput, HostView input, HostView dout) =>
        FixedChunks.For(input.Length, (_, s, e) => Backward(dinput.Slice(s, e - s), input.Slice(s, e - s), dout.Slice(s, e - s), DefaultWidth), MinPerChunk);

    /// <summary>y ← GELU(x) with a chosen width (256 or 512), so tests can run both paths on one machine.</summary>
    internal static void Forward(Span<float> y, ReadOnlySpan<float> x, int width)
    {
        int n = x.Length, w = width / 32, full = n / w * w;
        for (int i = 0; i < full; i += w) ForwardLanes(y.Slice(i, w), x.Slice(i, w), width);
        if (full == n) return;
        // The tail goes through the same vector code on a zero-padded copy.
        Span<float> px = stackalloc float[16], py = stackalloc float[16];
        px.Clear();
        x[full..].CopyTo(px);
        ForwardLanes(py[..w], px[..w], width);
        py[..(n - full)].CopyTo(y[full..]);
    }

    /// <summary>dx += GELU′(x)·dy with a chosen width (256 or 512).</summary>
    internal static void Backward(Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int width)
    {
        int n = x.Length, w = width / 32, full = n / w * w;
        for (int i = 0; i < full; i += w) BackwardLanes(dx.Slice(i, w), x.Slice(i, w), dy.Slice(i, w), width);
        if (full == n) return;
        Span<float> px = stackalloc float[16], pdy = stackalloc float[16], pdx = stackalloc float[16];
        px.Clear();
        pdy.Clear();
        pdx.Clear();
        x[full..].CopyTo(px);
        dy[full..].CopyTo(pdy);
        dx[full..].CopyTo(pdx);
        BackwardLanes(pdx[..w], px[..w], pdy[..w], width);
        pdx[..(n - full)].CopyTo(dx[full..]);
    }

    private static void ForwardLanes(Span<float> y, ReadOnlySpan<float> x, int width)
    {
        if (width == 512) GeluForward(Vector512.Create(x)).CopyTo(y);
        else GeluForward(Vector256.Create(x)).CopyTo(y);
    }

    private static void BackwardLanes(Span<float> dx, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int width)
    {
        if (width == 512) (Vector512.Create(dx) + GeluDerivative(Vector512.Create(x)) * Vector512.Create(dy)).CopyTo(dx);
        else (Vector256.Create(dx) + GeluDerivative(Vector256.Create(x)) * Vector256.Create(dy)).CopyTo(dx);
    }

    // σ(2u) with u = √(2/π)(x + 0.044715x³).
    private static Vector512<float> Sigmoid2U(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + VectorExp.Exp(Vector512.Create(-2f * Scale) * (x + Vector512.Create(Cubic) * x * x * x)));

    private static Vector256<float> Sigmoid2U(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + VectorExp.Exp(Vector256.Create(-2f * Scale) * (x + Vector256.Create(Cubic) * x * x * x)));

    private static Vector512<float> GeluForward(Vector512<float> x) => x * Sigmoid2U(x);

    private static Vector256<float> GeluForward(Vector256<float> x) => x * Sigmoid2U(x);

    // d/dx [x·σ(2u)] = σ + x·σ(1 − σ)·2u′, u′ = √(2/π)(1 + 3·0.044715x²).
    private static Vector512<float> GeluDerivative(Vector512<float> x)
    {
        var s = Sigmoid2U(x);
        var du = Vector512.Create(2f * Scale) * (Vector512<float>.One + Vector512.Create(3f * Cubic) * x * x);
        return s + x * s * (Vector512<float>.One - s) * du;
    }

    private static Vector256<float> GeluDerivative(Vector256<float> x)
    {
        var s = Sigmoid2U(x);
        var du = Vector256.Create(2f * Scale) * (Vector256<float>.One + Vector256.Create(3f * Cubic) * x * x);
        return s + x * s * (Vector256<float>.One - s) * du;
    }
}
