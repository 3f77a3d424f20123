using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>Softmax cross-entropy on the host, one row per position; rows with target −1 are left out.</summary>
internal static class CpuCrossEntropy
{
    /// <summary>losses[r] ← logsumexp(row) − row[target].</summary>
    public static void Forward(HostView losses, HostView logits, int[] targets, int n, int v) =>
        FixedChunks.For(n, (_, s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int tgt = targets[r];
                if (tgt < 0)
                {
                    losses.Array[losses.Offset + r] = 0f;
                    continue;
                }
                if (tgt >= v) throw new ArgumentOutOfRangeException(nameof(targets), $"target {tgt} at row {r} is outside the vocabulary of {v}");
                var row = logits.Slice(r * v, v);
                losses.Array[losses.Offset + r] = LogSumExp(row) - row[tgt];
            }
        }, 16);

    /// <summary>dlogits[r] += scale·(softmax(row) − onehot(target)).</summary>
    public static void Backward(HostView dlogits, HostView logits, int[] targets, int n, int v, float scale) =>
        FixedChunks.For(n, (_, s, e) =>
        {
            var prob = new float[v];
            for (int r = s; r < e; r++)
            {
                int tgt = targets[r];
                if (tgt < 0) continue;
                var row = logits.Slice(r * v, v);
                float lse = LogSumExp(row);
                TensorPrimitives.Subtract(row, lse, prob);
                TensorPrimitives.Exp(prob, prob);
                prob[tgt] -= 1f;
                var d = dlogits.Slice(r * v, v);
                TensorPrimitives.MultiplyAdd(prob, scale, d, d);
            }
        }, 16);

    private static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = TensorPrimitives.Max(row);
        double sum = 0;
        foreach (float x in row) sum += MathF.Exp(x - max);
        return max + (float)Math.Log(sum);
    }
}
