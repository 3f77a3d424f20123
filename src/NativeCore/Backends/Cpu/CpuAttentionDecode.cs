using System.Buffers;
using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// One query's attention over a sequence's cached rows (cached decoding): per head, the scores of row t−1's query
/// against every key, their softmax, and the weighted sum of the values. A single row is too little work to share
/// between threads, so it runs on the calling thread.
/// </summary>
internal static class CpuAttentionDecode
{
    public static void Decode(HostView output, HostView qkv, int t, int c, int nh)
    {
        int hs = c / nh;
        float scale = 1f / MathF.Sqrt(hs);
        ReadOnlySpan<float> all = qkv.Span;
        Span<float> o = output.Span;
        float[] rented = ArrayPool<float>.Shared.Rent(t);
        try
        {
            Span<float> scores = rented.AsSpan(0, t);
            for (int h = 0; h < nh; h++)
            {
                var q = all.Slice((t - 1) * 3 * c + h * hs, hs);
                for (int j = 0; j < t; j++) scores[j] = TensorPrimitives.Dot(q, all.Slice(j * 3 * c + c + h * hs, hs)) * scale;
                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                float inverse = 1f / TensorPrimitives.Sum(scores);
                var acc = o.Slice(h * hs, hs);
                acc.Clear();
                for (int j = 0; j < t; j++) TensorPrimitives.MultiplyAdd(all.Slice(j * 3 * c + 2 * c + h * hs, hs), scores[j] * inverse, acc, acc);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
