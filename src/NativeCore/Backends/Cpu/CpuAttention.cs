using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// Causal multi-head attention on the host, one (batch, head) pair per parallel work item, so that every output
/// element is written by exactly one thread. Rows of q, k and v for one head are contiguous (hs floats), so the
/// inner products and axpys go through TensorPrimitives' SIMD paths.
/// </summary>
internal static class CpuAttention
{
    /// <summary>qkv [B,T,3C] → out [B,T,C], pattern [B,NH,T,T].</summary>
    public static void Forward(float[] output, int oOff, float[] pattern, int pOff, float[] qkv, int qOff, int b, int t, int c, int nh)
    {
        int hs = c / nh;
        float scale = 1f / MathF.Sqrt(hs);
        Parallel.For(0, b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            for (int i = 0; i < t; i++)
            {
                var row = pattern.AsSpan(pOff + (bh * t + i) * t, t);
                var q = qkv.AsSpan(qOff + (bi * t + i) * 3 * c + h * hs, hs);
                float max = float.NegativeInfinity;
                for (int j = 0; j <= i; j++)
                {
                    var k = qkv.AsSpan(qOff + (bi * t + j) * 3 * c + c + h * hs, hs);
                    float s = TensorPrimitives.Dot(q, k) * scale;
                    row[j] = s;
                    if (s > max) max = s;
                }
                var live = row[..(i + 1)];
                TensorPrimitives.Subtract(live, max, live);
                TensorPrimitives.Exp(live, live);
                float sum = TensorPrimitives.Sum(live);
                TensorPrimitives.Multiply(live, 1f / sum, live);
                row[(i + 1)..].Clear();

                var y = output.AsSpan(oOff + (bi * t + i) * c + h * hs, hs);
                y.Clear();
                for (int j = 0; j <= i; j++)
                {
                    var v = qkv.AsSpan(qOff + (bi * t + j) * 3 * c + 2 * c + h * hs, hs);
                    TensorPrimitives.MultiplyAdd(v, row[j], y, y);
                }
            }
        });
    }

    /// <summary>Accumulates dqkv [B,T,3C] from dout [B,T,C] through the saved pattern.</summary>
    public static void Backward(float[] dqkv, int dOff, float[] dout, int doOff, float[] qkv, int qOff, float[] pattern, int pOff, int b, int t, int c, int nh)
    {
        int hs = c / nh;
        float scale = 1f / MathF.Sqrt(hs);
        Parallel.For(0, b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            var dp = new float[t];
            for (int i = 0; i < t; i++)
            {
                var p = pattern.AsSpan(pOff + (bh * t + i) * t, i + 1);
                var dy = dout.AsSpan(doOff + (bi * t + i) * c + h * hs, hs);
                var q = qkv.AsSpan(qOff + (bi * t + i) * 3 * c + h * hs, hs);
                var dq = dqkv.AsSpan(dOff + (bi * t + i) * 3 * c + h * hs, hs);
                for (int j = 0; j <= i; j++)
                {
                    int vj = (bi * t + j) * 3 * c + 2 * c + h * hs;
                    dp[j] = TensorPrimitives.Dot(dy, qkv.AsSpan(qOff + vj, hs));
                    var dv = dqkv.AsSpan(dOff + vj, hs);
                    TensorPrimitives.MultiplyAdd(dy, p[j], dv, dv);
                }
                float dot = TensorPrimitives.Dot(p, dp.AsSpan(0, i + 1));
                for (int j = 0; j <= i; j++)
                {
                    float ds = p[j] * (dp[j] - dot) * scale;
                    int kj = (bi * t + j) * 3 * c + c + h * hs;
                    TensorPrimitives.MultiplyAdd(qkv.AsSpan(qOff + kj, hs), ds, dq, dq);
                    var dk = dqkv.AsSpan(dOff + kj, hs);
                    TensorPrimitives.MultiplyAdd(q, ds, dk, dk);
                }
            }
        });
    }
}
