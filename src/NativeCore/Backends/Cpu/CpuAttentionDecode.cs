using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// One query's attention over a sequence's cached rows (cached decoding): per head, the scores of row t−1's query
/// against every key, their softmax, and the weighted sum of the values. A single row is too little work to share
/// between threads, so it runs on the calling thread. The per-key products are inlined vector loops: a library call
/// per key of a small head costs more than the key's arithmetic.
/// </summary>
internal static unsafe class CpuAttentionDecode
{
    public static void Decode(HostView output, HostView qkv, int t, int c, int nh)
    {
        int hs = c / nh, stride = 3 * c;
        float scale = 1f / MathF.Sqrt(hs);
        float[] rented = ArrayPool<float>.Shared.Rent(t);
        try
        {
            fixed (float* all = qkv.Span, o = output.Span, scores = rented)
            {
                for (int h = 0; h < nh; h++)
                {
                    float* q = all + (long)(t - 1) * stride + h * hs, k = all + c + h * hs, v = all + 2 * c + h * hs;
                    for (int j = 0; j < t; j++) scores[j] = Dot(q, k + (long)j * stride, hs) * scale;
                    var row = new Span<float>(scores, t);
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp(row, row);
                    float inverse = 1f / LaneSums.Sum(row);
                    float* acc = o + h * hs;
                    new Span<float>(acc, hs).Clear();
                    for (int j = 0; j < t; j++) AddScaled(acc, v + (long)j * stride, scores[j] * inverse, hs);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        var sum = Vector<float>.Zero;
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            sum += *(Vector<float>*)(a + i) * *(Vector<float>*)(b + i);
        float s = Vector.Sum(sum);
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    private static void AddScaled(float* acc, float* x, float w, int n)
    {
        int i = 0;
        var wv = new Vector<float>(w);
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            *(Vector<float>*)(acc + i) += wv * *(Vector<float>*)(x + i);
        for (; i < n; i++) acc[i] += w * x[i];
    }
}
