using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// Multi-head attention, causal or not, on the host, one (batch, head) pair per parallel work item. Each pair runs as dense
/// matrix products on strided views of the packed qkv tensor (S = Q·Kᵀ, O = P·V, and four products backward) through
/// <see cref="PackedGemm"/> on its own thread, so the arithmetic runs in the FMA micro-kernel instead of one short dot
/// product per (query, key) pair. Under a causal mask, queries go in blocks of <see cref="QueryBlock"/> rows and each
/// block's products stop at its last visible key, so the masked upper triangle costs almost nothing; the skipped terms
/// were exact zeros, so every sum is the same.
/// </summary>
/// <remarks>
/// Only each row's log-sum-exp is kept between the passes: the T×T probabilities live in a per-thread scratch and the
/// backward pass recomputes them, so a training step holds no B·NH·T·T tensor. Every output element is written by one
/// thread in a fixed order, so results are bit-reproducible.
/// </remarks>
internal static unsafe class CpuAttention
{
    /// <summary>Query rows per causal block: small enough to skip most of the masked triangle, large enough for the GEMM.</summary>
    private const int QueryBlock = 32;

    // Per-thread T×T and HS×T scratch (see ThreadScratch).
    [ThreadStatic] private static float[]? t_probabilities;
    [ThreadStatic] private static float[]? t_scoreGradients;
    [ThreadStatic] private static float[]? t_transposed;

    /// <summary>The row blocks [i0, i1) of a T×T pattern: one block when nothing is masked.</summary>
    private static int Blocks(int t, bool causal) => causal ? (t + QueryBlock - 1) / QueryBlock : 1;

    private static (int I0, int I1) Block(int index, int t, bool causal) =>
        causal ? (index * QueryBlock, Math.Min(t, (index + 1) * QueryBlock)) : (0, t);

    /// <summary>qkv [B,T,3C] → out [B,T,C] and lse [B,NH,T].</summary>
    public static void Forward(HostView output, HostView lse, HostView qkv, int b, int t, int c, int nh, bool causal)
    {
        int hs = c / nh;
        Parallel.For(0, b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            fixed (float* q0 = qkv.Span, l0 = lse.Span, o0 = output.Span, p = ThreadScratch.Get(ref t_probabilities, t * t), kt = ThreadScratch.Get(ref t_transposed, hs * t))
            {
                float* q = q0 + (long)bi * t * 3 * c + h * hs, v = q + 2 * c;
                float* o = o0 + (long)bi * t * c + h * hs;
                Softmax(q, kt, p, l0 + (long)bh * t, t, c, hs, causal);
                for (int blk = 0; blk < Blocks(t, causal); blk++)
                {
                    var (i0, i1) = Block(blk, t, causal);
                    PackedGemm.Multiply(false, false, i1 - i0, hs, i1, p + (long)i0 * t, t, v, 3 * c, 0f, o + (long)i0 * c, c, parallel: false);
                }
            }
        });
    }

    /// <summary>The probabilities [B,NH,T,T] from qkv and the forward pass's lse (for hooks and attention maps).</summary>
    public static void Pattern(HostView pattern, HostView qkv, HostView lse, int b, int t, int c, int nh, bool causal)
    {
        int hs = c / nh;
        Parallel.For(0, b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            fixed (float* q0 = qkv.Span, l0 = lse.Span, p0 = pattern.Span, kt = ThreadScratch.Get(ref t_transposed, hs * t))
            {
                Probabilities(q0 + (long)bi * t * 3 * c + h * hs, kt, p0 + (long)bh * t * t, l0 + (long)bh * t, t, c, hs, causal);
            }
        });
    }

    /// <summary>Accumulates dqkv [B,T,3C] from dout [B,T,C], recomputing the probabilities from qkv and lse.</summary>
    public static void Backward(HostView dqkv, HostView dout, HostView qkv, HostView output, HostView lse, int b, int t, int c, int nh, bool causal)
    {
        int hs = c / nh;
        float scale = 1f / MathF.Sqrt(hs);
        Parallel.For(0, b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            fixed (float* q0 = qkv.Span, dq0 = dqkv.Span, l0 = lse.Span, dy0 = dout.Span, y0 = output.Span,
                   p = ThreadScratch.Get(ref t_probabilities, t * t), ds = ThreadScratch.Get(ref t_scoreGradients, t * t), xt = ThreadScratch.Get(ref t_transposed, hs * t))
            {
                long rowBase = (long)bi * t * 3 * c + h * hs;
                float* q = q0 + rowBase, k = q + c, v = q + 2 * c;
                float* dq = dq0 + rowBase, dk = dq + c, dv = dq + 2 * c;
                float* dy = dy0 + (long)bi * t * c + h * hs, y = y0 + (long)bi * t * c + h * hs;
                Probabilities(q, xt, p, l0 + (long)bh * t, t, c, hs, causal);
                // dP = dO·Vᵀ, then dS = P ⊙ (dP − Σ_j P⊙dP) · scale in place, where Σ_j P_ij·dP_ij = dO_i·O_i.
                Transpose(v, 3 * c, xt, t, hs);
                for (int blk = 0; blk < Blocks(t, causal); blk++)
                {
                    var (i0, i1) = Block(blk, t, causal);
                    PackedGemm.Multiply(false, false, i1 - i0, i1, hs, dy + (long)i0 * c, c, xt, t, 0f, ds + (long)i0 * t, t, parallel: false);
                }
                for (int i = 0; i < t; i++)
                {
                    int visible = Visible(i, t, causal);
                    var prow = new ReadOnlySpan<float>(p + (long)i * t, visible);
                    var drow = new Span<float>(ds + (long)i * t, t);
                    var live = drow[..visible];
                    float dot = TensorPrimitives.Dot(new ReadOnlySpan<float>(dy + (long)i * c, hs), new ReadOnlySpan<float>(y + (long)i * c, hs));
                    SoftmaxRows.ScoreGradient(live, prow, dot, scale);
                    drow[visible..].Clear();
                }
                for (int blk = 0; blk < Blocks(t, causal); blk++)
                {
                    // Query block [i0, i1) sees keys [0, i1); key block [i0, i1) is seen by queries [i0, t).
                    var (i0, i1) = Block(blk, t, causal);
                    int rows = i1 - i0, seen = t - i0;
                    PackedGemm.Multiply(false, false, rows, hs, i1, ds + (long)i0 * t, t, k, 3 * c, 1f, dq + (long)i0 * 3 * c, 3 * c, parallel: false);   // dQ += dS·K
                    PackedGemm.Multiply(true, false, rows, hs, seen, ds + (long)i0 * t + i0, t, q + (long)i0 * 3 * c, 3 * c, 1f, dk + (long)i0 * 3 * c, 3 * c, parallel: false);   // dK += dSᵀ·Q
                    PackedGemm.Multiply(true, false, rows, hs, seen, p + (long)i0 * t + i0, t, dy + (long)i0 * c, c, 1f, dv + (long)i0 * 3 * c, 3 * c, parallel: false);        // dV += Pᵀ·dO
                }
            }
        });
    }

    /// <summary>
    /// One head's probabilities P [T,T] (ld T) and each row's log-sum-exp, from its q (k and v follow at c, 2c);
    /// kt is [HS,T] scratch.
    /// </summary>
    private static void Softmax(float* q, float* kt, float* p, float* lse, int t, int c, int hs, bool causal)
    {
        Scores(q, kt, p, t, c, hs, causal);
        float scale = 1f / MathF.Sqrt(hs);
        for (int i = 0; i < t; i++)
        {
            var row = new Span<float>(p + (long)i * t, t);
            var live = row[..Visible(i, t, causal)];
            float max = scale * TensorPrimitives.Max(live);
            float sum = SoftmaxRows.Exp(live, scale, max);
            TensorPrimitives.Multiply(live, 1f / sum, live);
            lse[i] = max + MathF.Log(sum);
            row[live.Length..].Clear();
        }
    }

    /// <summary>P [T,T] = exp(S − lse) from the saved log-sum-exps, zero where masked; kt is [HS,T] scratch.</summary>
    private static void Probabilities(float* q, float* kt, float* p, float* lse, int t, int c, int hs, bool causal)
    {
        Scores(q, kt, p, t, c, hs, causal);
        float scale = 1f / MathF.Sqrt(hs);
        for (int i = 0; i < t; i++)
        {
            var row = new Span<float>(p + (long)i * t, t);
            var live = row[..Visible(i, t, causal)];
            SoftmaxRows.Exp(live, scale, lse[i]);
            row[live.Length..].Clear();
        }
    }

    /// <summary>
    /// S = Q·Kᵀ into [T,T] (ld T), unscaled (the softmax folds 1/√HS into its exponent), each query block only against
    /// the keys it can see; the rest is left as is.
    /// K is transposed into kt [HS,T] once, so that the blocks' products pack it with contiguous loads.
    /// </summary>
    private static void Scores(float* q, float* kt, float* s, int t, int c, int hs, bool causal)
    {
        Transpose(q + c, 3 * c, kt, t, hs);
        for (int blk = 0; blk < Blocks(t, causal); blk++)
        {
            var (i0, i1) = Block(blk, t, causal);
            PackedGemm.Multiply(false, false, i1 - i0, i1, hs, q + (long)i0 * 3 * c, 3 * c, kt, t, 0f, s + (long)i0 * t, t, parallel: false);
        }
    }

    /// <summary>dst [HS,T] (ld T) ← src [T,HS] (ld <paramref name="ld"/>): one head's keys or values, transposed.</summary>
    private static void Transpose(float* src, int ld, float* dst, int t, int hs)
    {
        int tFull = 0, hFull = 0;
        if (System.Runtime.Intrinsics.X86.Avx.IsSupported)
        {
            (tFull, hFull) = (t / 8 * 8, hs / 8 * 8);
            for (int j = 0; j < tFull; j += 8)
                for (int d = 0; d < hFull; d += 8)
                    PackedGemm.Transpose8x8(src + (long)j * ld + d, ld, dst + (long)d * t + j, t);
        }
        for (int j = 0; j < t; j++)
        {
            float* row = src + (long)j * ld;
            for (int d = j < tFull ? hFull : 0; d < hs; d++) dst[(long)d * t + j] = row[d];
        }
    }

    /// <summary>How many keys query <paramref name="i"/> sees.</summary>
    private static int Visible(int i, int t, bool causal) => causal ? i + 1 : t;
}
