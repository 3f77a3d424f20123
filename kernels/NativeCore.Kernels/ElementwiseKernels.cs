using ILGPU;
using ILGPU.Algorithms;

namespace NativeCore.Kernels;

/// <summary>One-thread-per-element kernels, and the per-column reductions that must stay deterministic.</summary>
public static class ElementwiseKernels
{
    private const float GeluScale = 0.7978845608028654f;

    /// <summary>x[i] ← value.</summary>
    public static void Fill(Index1D i, ArrayView<float> x, float value) => x[i] = value;

    /// <summary>dst[i] ← src[i].</summary>
    public static void Copy(Index1D i, ArrayView<float> dst, ArrayView<float> src) => dst[i] = src[i];

    /// <summary>out[i] ← a[i] + b[i].</summary>
    public static void Add(Index1D i, ArrayView<float> output, ArrayView<float> a, ArrayView<float> b) => output[i] = a[i] + b[i];

    /// <summary>out ← tanh-GELU(x).</summary>
    public static void GeluForward(Index1D i, ArrayView<float> output, ArrayView<float> input)
    {
        float v = input[i];
        output[i] = 0.5f * v * (1f + XMath.Tanh(GeluScale * (v + 0.044715f * v * v * v)));
    }

    /// <summary>dinput += GELU'(x)·dout.</summary>
    public static void GeluBackward(Index1D i, ArrayView<float> dinput, ArrayView<float> input, ArrayView<float> dout)
    {
        float v = input[i];
        float th = XMath.Tanh(GeluScale * (v + 0.044715f * v * v * v));
        float du = GeluScale * (1f + 3f * 0.044715f * v * v);
        dinput[i] += (0.5f * (1f + th) + 0.5f * v * (1f - th * th) * du) * dout[i];
    }

    /// <summary>out ← max(0, x).</summary>
    public static void ReluForward(Index1D i, ArrayView<float> output, ArrayView<float> input) => output[i] = XMath.Max(0f, input[i]);

    /// <summary>dinput += (x &gt; 0)·dout.</summary>
    public static void ReluBackward(Index1D i, ArrayView<float> dinput, ArrayView<float> input, ArrayView<float> dout)
    {
        if (input[i] > 0f) dinput[i] += dout[i];
    }

    /// <summary>x[i] ← x[i]·mask(seed, i), the counter-hash mask every backend shares.</summary>
    public static void DropoutForward(Index1D i, ArrayView<float> x, float p, ulong seed) =>
        x[i] *= CounterHash.DropoutScale(seed, (ulong)(int)i, p);

    /// <summary>dinput[i] += mask(seed, i)·dout[i].</summary>
    public static void DropoutBackward(Index1D i, ArrayView<float> dinput, ArrayView<float> dout, float p, ulong seed) =>
        dinput[i] += CounterHash.DropoutScale(seed, (ulong)(int)i, p) * dout[i];

    /// <summary>x[r,c] += bias[c]; one thread per element of x [rows, cols].</summary>
    public static void AddBias(Index1D i, ArrayView<float> x, ArrayView<float> bias, int cols) => x[i] += bias[i % cols];

    /// <summary>dbias[c] += Σ_r dout[r,c]; one thread per column, rows summed in order (no atomics).</summary>
    public static void BiasBackward(Index1D c, ArrayView<float> dbias, ArrayView<float> dout, int rows, int cols)
    {
        float s = 0f;
        for (int r = 0; r < rows; r++) s += dout[r * cols + c];
        dbias[c] += s;
    }

    /// <summary>output[r] ← Σ_c a[r,c]·b[r,c]; one thread per row.</summary>
    public static void RowDot(Index1D r, ArrayView<float> output, ArrayView<float> a, ArrayView<float> b, int cols)
    {
        float s = 0f;
        for (int c = 0; c < cols; c++) s += a[r * cols + c] * b[r * cols + c];
        output[r] = s;
    }

    /// <summary>
    /// partial[p] ← Σ x[i]² (or Σ x[i] when <paramref name="squares"/> is 0) over the elements i ≡ p (mod partials), in
    /// increasing i. The host adds the partials in order, so the total is deterministic.
    /// </summary>
    public static void PartialSums(Index1D p, ArrayView<double> partial, ArrayView<float> x, int length, int squares)
    {
        int stride = (int)partial.Length;
        double s = 0;
        for (int i = p; i < length; i += stride)
        {
            double v = x[i];
            s += squares != 0 ? v * v : v;
        }
        partial[p] = s;
    }
}
