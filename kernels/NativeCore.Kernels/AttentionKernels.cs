using ILGPU;
using ILGPU.Algorithms;

namespace NativeCore.Kernels;

/// <summary>Shape of an attention launch: qkv [B,T,3C] with NH heads of C/NH channels, causal or not.</summary>
public readonly struct AttentionArgs
{
    /// <summary>Creates the arguments.</summary>
    public AttentionArgs(int b, int t, int c, int nh, bool causal)
    {
        B = b;
        T = t;
        C = c;
        NH = nh;
        Causal = causal ? 1 : 0;
    }

    /// <summary>Batch.</summary>
    public int B { get; }
    /// <summary>Sequence length.</summary>
    public int T { get; }
    /// <summary>Channels.</summary>
    public int C { get; }
    /// <summary>Heads.</summary>
    public int NH { get; }
    /// <summary>1 when query i sees keys j ≤ i only (an int, which every ILGPU backend passes by value).</summary>
    public int Causal { get; }
    /// <summary>The last key query <paramref name="qi"/> sees.</summary>
    public int LastKey(int qi) => Causal != 0 ? qi : T - 1;
    /// <summary>The first query that sees key <paramref name="kj"/>.</summary>
    public int FirstQuery(int kj) => Causal != 0 ? kj : 0;
    /// <summary>Channels per head.</summary>
    public int HS => C / NH;
    /// <summary>1/√HS.</summary>
    public float Scale => 1f / XMath.Sqrt(HS);
    /// <summary>Offset of q (part 0), k (1) or v (2) of head h at row (b, t) in qkv.</summary>
    public int Qkv(int b, int t, int part, int h) => (b * T + t) * 3 * C + part * C + h * HS;
}

/// <summary>
/// Multi-head attention, causal or not. The forward pass is fused per query row: scores, softmax and the weighted sum of v in
/// one kernel, using a scratch pattern row and keeping each row's log-sum-exp. <see cref="Pattern"/> rebuilds the
/// probabilities from that log-sum-exp for the hooks and the backward pass, which runs as three kernels that each own
/// their outputs, so it needs no atomics and is bit-reproducible.
/// </summary>
public static class AttentionKernels
{
    /// <summary>
    /// Cached decoding: one thread per (head, channel) of the last row's output, over keys 0…T−1 of one sequence
    /// (a.B = 1), with the softmax taken online so that no scratch row is needed.
    /// </summary>
    public static void Decode(Index1D i, ArrayView<float> output, ArrayView<float> qkv, AttentionArgs a)
    {
        int hs = a.HS, h = i / hs, d = i % hs;
        int q = a.Qkv(0, a.T - 1, 0, h);
        float scale = a.Scale, max = float.NegativeInfinity, sum = 0f, acc = 0f;
        for (int j = 0; j < a.T; j++)
        {
            int k = a.Qkv(0, j, 1, h);
            float s = 0f;
            for (int e = 0; e < hs; e++) s += qkv[q + e] * qkv[k + e];
            s *= scale;
            float m = XMath.Max(max, s);
            float correction = XMath.Exp(max - m), w = XMath.Exp(s - m);
            sum = sum * correction + w;
            acc = acc * correction + w * qkv[a.Qkv(0, j, 2, h) + d];
            max = m;
        }
        output[i] = acc / sum;
    }

    /// <summary>One thread per (b, h, query t): output slice and log-sum-exp, with pattern as the row's scratch.</summary>
    public static void Forward(Index1D i, ArrayView<float> output, ArrayView<float> lse, ArrayView<float> pattern, ArrayView<float> qkv, AttentionArgs a)
    {
        int bh = i / a.T, qi = i % a.T, b = bh / a.NH, h = bh % a.NH, hs = a.HS;
        int row = i * a.T;
        int q = a.Qkv(b, qi, 0, h);
        int last = a.LastKey(qi);
        float scale = a.Scale, max = float.NegativeInfinity;
        for (int j = 0; j <= last; j++)
        {
            int k = a.Qkv(b, j, 1, h);
            float s = 0f;
            for (int d = 0; d < hs; d++) s += qkv[q + d] * qkv[k + d];
            s *= scale;
            pattern[row + j] = s;
            max = XMath.Max(max, s);
        }
        float sum = 0f;
        for (int j = 0; j <= last; j++)
        {
            float e = XMath.Exp(pattern[row + j] - max);
            pattern[row + j] = e;
            sum += e;
        }
        lse[i] = max + XMath.Log(sum);
        for (int j = 0; j < a.T; j++) pattern[row + j] = j <= last ? pattern[row + j] / sum : 0f;
        int o = (b * a.T + qi) * a.C + h * hs;
        for (int d = 0; d < hs; d++)
        {
            float y = 0f;
            for (int j = 0; j <= last; j++) y += pattern[row + j] * qkv[a.Qkv(b, j, 2, h) + d];
            output[o + d] = y;
        }
    }

    /// <summary>One thread per (b, h, query t): the probability row exp(q·k/√HS − lse), zero for keys it does not see.</summary>
    public static void Pattern(Index1D i, ArrayView<float> pattern, ArrayView<float> qkv, ArrayView<float> lse, AttentionArgs a)
    {
        int bh = i / a.T, qi = i % a.T, b = bh / a.NH, h = bh % a.NH, hs = a.HS;
        int row = i * a.T, q = a.Qkv(b, qi, 0, h), last = a.LastKey(qi);
        float scale = a.Scale, l = lse[i];
        for (int j = 0; j < a.T; j++)
        {
            float p = 0f;
            if (j <= last)
            {
                int k = a.Qkv(b, j, 1, h);
                float s = 0f;
                for (int d = 0; d < hs; d++) s += qkv[q + d] * qkv[k + d];
                p = XMath.Exp(s * scale - l);
            }
            pattern[row + j] = p;
        }
    }

    /// <summary>One thread per query row: dscores[i,j] ← p·(dout_i·v_j − Σ_j' p·dout_i·v_j'), zero for keys it does not see.</summary>
    public static void ScoreGradients(Index1D i, ArrayView<float> dscores, ArrayView<float> dout, ArrayView<float> qkv, ArrayView<float> pattern, AttentionArgs a)
    {
        int bh = i / a.T, qi = i % a.T, b = bh / a.NH, h = bh % a.NH, hs = a.HS;
        int row = i * a.T;
        int o = (b * a.T + qi) * a.C + h * hs, last = a.LastKey(qi);
        float dot = 0f;
        for (int j = 0; j <= last; j++)
        {
            int v = a.Qkv(b, j, 2, h);
            float dp = 0f;
            for (int d = 0; d < hs; d++) dp += dout[o + d] * qkv[v + d];
            dscores[row + j] = dp;
            dot += pattern[row + j] * dp;
        }
        for (int j = 0; j < a.T; j++) dscores[row + j] = j <= last ? pattern[row + j] * (dscores[row + j] - dot) : 0f;
    }

    /// <summary>One thread per query row: dq_i += scale·Σ_j dscores[i,j]·k_j.</summary>
    public static void QueryGradients(Index1D i, ArrayView<float> dqkv, ArrayView<float> dscores, ArrayView<float> qkv, AttentionArgs a)
    {
        int bh = i / a.T, qi = i % a.T, b = bh / a.NH, h = bh % a.NH, hs = a.HS;
        int row = i * a.T, q = a.Qkv(b, qi, 0, h), last = a.LastKey(qi);
        float scale = a.Scale;
        for (int d = 0; d < hs; d++)
        {
            float s = 0f;
            for (int j = 0; j <= last; j++) s += dscores[row + j] * qkv[a.Qkv(b, j, 1, h) + d];
            dqkv[q + d] += scale * s;
        }
    }

    /// <summary>One thread per key row j: dk_j += scale·Σ_i dscores[i,j]·q_i and dv_j += Σ_i p[i,j]·dout_i over the queries that see j.</summary>
    public static void KeyValueGradients(Index1D i, ArrayView<float> dqkv, ArrayView<float> dscores, ArrayView<float> dout, ArrayView<float> qkv, ArrayView<float> pattern, AttentionArgs a)
    {
        int bh = i / a.T, kj = i % a.T, b = bh / a.NH, h = bh % a.NH, hs = a.HS;
        int k = a.Qkv(b, kj, 1, h), v = a.Qkv(b, kj, 2, h);
        float scale = a.Scale;
        for (int d = 0; d < hs; d++)
        {
            float dk = 0f, dv = 0f;
            for (int qi = a.FirstQuery(kj); qi < a.T; qi++)
            {
                int cell = (bh * a.T + qi) * a.T + kj;
                dk += dscores[cell] * qkv[a.Qkv(b, qi, 0, h) + d];
                dv += pattern[cell] * dout[(b * a.T + qi) * a.C + h * hs + d];
            }
            dqkv[k + d] += scale * dk;
            dqkv[v + d] += dv;
        }
    }
}
