using ILGPU;
using ILGPU.Algorithms;

namespace NativeCore.Kernels;

/// <summary>Softmax cross-entropy, one thread per row; rows with target −1 are left out.</summary>
public static class CrossEntropyKernels
{
    private static float LogSumExp(ArrayView<float> logits, int o, int v)
    {
        float max = float.NegativeInfinity;
        for (int j = 0; j < v; j++) max = XMath.Max(max, logits[o + j]);
        float sum = 0f;
        for (int j = 0; j < v; j++) sum += XMath.Exp(logits[o + j] - max);
        return max + XMath.Log(sum);
    }

    /// <summary>losses[r] ← logsumexp(row) − row[target], or 0.</summary>
    public static void Forward(Index1D r, ArrayView<float> losses, ArrayView<float> logits, ArrayView<int> targets, int v)
    {
        int tgt = targets[r];
        losses[r] = tgt < 0 ? 0f : LogSumExp(logits, r * v, v) - logits[r * v + tgt];
    }

    /// <summary>dlogits[r] += scale·(softmax(row) − onehot(target)).</summary>
    public static void Backward(Index1D r, ArrayView<float> dlogits, ArrayView<float> logits, ArrayView<int> targets, int v, float scale)
    {
        int tgt = targets[r];
        if (tgt < 0) return;
        int o = r * v;
        float lse = LogSumExp(logits, o, v);
        for (int j = 0; j < v; j++)
            dlogits[o + j] += scale * (XMath.Exp(logits[o + j] - lse) - (j == tgt ? 1f : 0f));
    }
}
