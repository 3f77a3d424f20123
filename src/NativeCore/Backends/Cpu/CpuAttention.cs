using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// Multi-head attention, causal or not, on the host, one (batch, head) pair per parallel work item. Each pair runs as
/// small dense products (S = Q·Kᵀ, O = P·V, and four products backward) through the GEMM micro-kernel with every
/// operand read in place (<see cref="PackedGemm.MultiplyInPlace"/>): at head sizes of a few dozen, packing a T×T
/// operand whose values each feed one or two register tiles would cost as much as the arithmetic. Under a causal mask,
/// queries go in blocks of <see cref="QueryBlock"/> rows and each block's products stop at its last visible key, so
/// the masked upper triangle costs almost nothing; the skipped terms were exact zeros, so every sum is the same.
/// </summary>
/// <remarks>
/// Only each row's log-sum-exp is kept between the passes: the T×T probabilities live in a per-thread scratch and the
/// backward pass recomputes them, so a training step holds no B·NH·T·T tensor. Every output element is written by one
/// thread in a fixed order (one multiply-add chain in increasing k), so results are bit-reproducible and the same on
/// the 256-bit and 512-bit kernels.
/// </remarks>
internal static unsafe class CpuAttention
{
    /// <summary>
    /// Query rows per causal block: a whole number of the micro-kernel's six-row tiles, small enough to skip most of
    /// the masked triangle.
    /// </summary>
    private const int QueryBlock = 24;

    // Per-thread scratch (see ThreadScratch): the T×T probabilities and score gradients, a transposed K or V, and
    // zero-padded copies of the operands read as whole panels when the head size is not a whole number of them.
    [ThreadStatic] private static float[]? t_probabilities;
    [ThreadStatic] private static float[]? t_scoreGradients;
    [ThreadStatic] private static float[]? t_transposed;
    [ThreadStatic] private static float[]? t_panels;

    /// <summary>The row blocks [i0, i1) of a T×T pattern: one block when nothing is masked.</summary>
    private static int Blocks(int t, bool causal) => causal ? (t + QueryBlock - 1) / QueryBlock : 1;

    private static (int I0, int I1) Block(int index, int t, bool causal) =>
        causal ? (index * QueryBlock, Math.Min(t, (index + 1) * QueryBlock)) : (0, t);

    /// <summary>
    /// The micro-kernel width for head size <paramref name="hs"/>: the widest up to <paramref name="widest"/> whose
    /// panels tile the head exactly, so that Q, K, V and dO are read in place; the 256-bit kernel (with padded copies)
    /// when neither does.
    /// </summary>
    private static int WidthFor(int hs, int widest) => hs % widest == 0 ? widest : PackedGemm.Width256;

    /// <summary>Columns of a transposed [HS, T] scratch: T rounded up to whole panels, so every panel read stays inside it.</summary>
    private static int PaddedT(int t, int width) => (t + width - 1) / width * width;

    /// <summary>qkv [B,T,3C] → out [B,T,C] and lse [B,NH,T].</summary>
    public static void Forward(HostView output, HostView lse, HostView qkv, int b, int t, int c, int nh, bool causal) =>
        Forward(output, lse, qkv, b, t, c, nh, causal, PackedGemm.DefaultWidth);

    /// <summary>As above, with the widest micro-kernel allowed, so that tests run both widths on one machine.</summary>
    internal static void Forward(HostView output, HostView lse, HostView qkv, int b, int t, int c, int nh, bool causal, int widest)
    {
        int hs = c / nh, width = WidthFor(hs, widest), tPad = PaddedT(t, width);
        float scale = 1f / MathF.Sqrt(hs);
        CpuParallel.For(b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            fixed (float* q0 = qkv.Span, l0 = lse.Span, o0 = output.Span, p = ThreadScratch.Get(ref t_probabilities, t * t),
                   kt = ThreadScratch.Get(ref t_transposed, hs * tPad), pad = ThreadScratch.Get(ref t_panels, t * PanelWidth(hs, width)))
            {
                float* q = q0 + (long)bi * t * 3 * c + h * hs, k = q + c;
                float* o = o0 + (long)bi * t * c + h * hs;
                float* rowLse = l0 + (long)bh * t;
                Transpose(k, 3 * c, kt, t, hs, tPad);
                float* v = Panels(q + 2 * c, 3 * c, t, hs, width, pad, out int ldv);
                for (int blk = 0; blk < Blocks(t, causal); blk++)
                {
                    var (i0, i1) = Block(blk, t, causal);
                    Scores(q, c, kt, tPad, p, i0, i1, t, hs, width);
                    for (int i = i0; i < i1; i++)
                    {
                        var row = new Span<float>(p + (long)i * t, i1);
                        var live = row[..Visible(i, t, causal)];
                        float max = scale * TensorPrimitives.Max(live);
                        float sum = SoftmaxRows.Exp(live, scale, max);
                        TensorPrimitives.Multiply(live, 1f / sum, live);
                        rowLse[i] = max + MathF.Log(sum);
                        row[live.Length..].Clear();
                    }
                    PackedGemm.MultiplyInPlace(i1 - i0, hs, i1, p + (long)i0 * t, t, 1, v, ldv, 0f, o + (long)i0 * c, c, width);   // O = P·V
                }
            }
        });
    }

    /// <summary>The probabilities [B,NH,T,T] from qkv and the forward pass's lse (for hooks and attention maps).</summary>
    public static void Pattern(HostView pattern, HostView qkv, HostView lse, int b, int t, int c, int nh, bool causal)
    {
        int hs = c / nh, width = WidthFor(hs, PackedGemm.DefaultWidth), tPad = PaddedT(t, width);
        CpuParallel.For(b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            fixed (float* q0 = qkv.Span, l0 = lse.Span, p0 = pattern.Span, kt = ThreadScratch.Get(ref t_transposed, hs * tPad))
            {
                float* q = q0 + (long)bi * t * 3 * c + h * hs;
                Transpose(q + c, 3 * c, kt, t, hs, tPad);
                Probabilities(q, c, kt, tPad, p0 + (long)bh * t * t, l0 + (long)bh * t, t, hs, width, causal, wholeRows: true);
            }
        });
    }

    /// <summary>Accumulates dqkv [B,T,3C] from dout [B,T,C], recomputing the probabilities from qkv and lse.</summary>
    public static void Backward(HostView dqkv, HostView dout, HostView qkv, HostView output, HostView lse, int b, int t, int c, int nh, bool causal) =>
        Backward(dqkv, dout, qkv, output, lse, b, t, c, nh, causal, PackedGemm.DefaultWidth);

    /// <summary>As above, with the widest micro-kernel allowed.</summary>
    internal static void Backward(HostView dqkv, HostView dout, HostView qkv, HostView output, HostView lse, int b, int t, int c, int nh, bool causal, int widest)
    {
        int hs = c / nh, width = WidthFor(hs, widest), tPad = PaddedT(t, width), panel = PanelWidth(hs, width);
        float scale = 1f / MathF.Sqrt(hs);
        CpuParallel.For(b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh;
            fixed (float* q0 = qkv.Span, dq0 = dqkv.Span, l0 = lse.Span, dy0 = dout.Span, y0 = output.Span,
                   p = ThreadScratch.Get(ref t_probabilities, t * t), ds = ThreadScratch.Get(ref t_scoreGradients, t * t),
                   xt = ThreadScratch.Get(ref t_transposed, hs * tPad), pad = ThreadScratch.Get(ref t_panels, 3 * t * panel))
            {
                long rowBase = (long)bi * t * 3 * c + h * hs;
                float* q = q0 + rowBase, k = q + c, v = q + 2 * c;
                float* dq = dq0 + rowBase, dk = dq + c, dv = dq + 2 * c;
                float* dy = dy0 + (long)bi * t * c + h * hs, y = y0 + (long)bi * t * c + h * hs;
                Transpose(k, 3 * c, xt, t, hs, tPad);
                Probabilities(q, c, xt, tPad, p, l0 + (long)bh * t, t, hs, width, causal, wholeRows: false);
                // dP = dO·Vᵀ, then dS = P ⊙ (dP − Σ_j P⊙dP) · scale in place, where Σ_j P_ij·dP_ij = dO_i·O_i.
                Transpose(v, 3 * c, xt, t, hs, tPad);
                for (int blk = 0; blk < Blocks(t, causal); blk++)
                {
                    var (i0, i1) = Block(blk, t, causal);
                    PackedGemm.MultiplyInPlace(i1 - i0, i1, hs, dy + (long)i0 * c, c, 1, xt, tPad, 0f, ds + (long)i0 * t, t, width);
                    for (int i = i0; i < i1; i++)
                    {
                        int visible = Visible(i, t, causal);
                        var drow = new Span<float>(ds + (long)i * t, i1);
                        float dot = LaneSums.Dot(new ReadOnlySpan<float>(dy + (long)i * c, hs), new ReadOnlySpan<float>(y + (long)i * c, hs));
                        SoftmaxRows.ScoreGradient(drow[..visible], new ReadOnlySpan<float>(p + (long)i * t, visible), dot, scale);
                        drow[visible..].Clear();
                    }
                }
                float* kB = Panels(k, 3 * c, t, hs, width, pad, out int ldk);
                float* qB = Panels(q, 3 * c, t, hs, width, pad + t * panel, out int ldq);
                float* dyB = Panels(dy, c, t, hs, width, pad + 2 * t * panel, out int ldy);
                for (int blk = 0; blk < Blocks(t, causal); blk++)
                {
                    // Query block [i0, i1) sees keys [0, i1); key block [i0, i1) is seen by queries [i0, t). dSᵀ and Pᵀ
                    // are read in place, a row of six keys at a time.
                    var (i0, i1) = Block(blk, t, causal);
                    int rows = i1 - i0, seen = t - i0;
                    PackedGemm.MultiplyInPlace(rows, hs, i1, ds + (long)i0 * t, t, 1, kB, ldk, 1f, dq + (long)i0 * 3 * c, 3 * c, width);                                      // dQ += dS·K
                    PackedGemm.MultiplyInPlace(rows, hs, seen, ds + (long)i0 * t + i0, 1, t, qB + (long)i0 * ldq, ldq, 1f, dk + (long)i0 * 3 * c, 3 * c, width);             // dK += dSᵀ·Q
                    PackedGemm.MultiplyInPlace(rows, hs, seen, p + (long)i0 * t + i0, 1, t, dyB + (long)i0 * ldy, ldy, 1f, dv + (long)i0 * 3 * c, 3 * c, width);             // dV += Pᵀ·dO
                }
            }
        });
    }

    /// <summary>
    /// P [T,T] (ld T) = exp(S − lse) from the saved log-sum-exps and kt = Kᵀ [HS, tPad], zero where masked: up to each
    /// block's end, which is all the backward products read, or across whole rows when <paramref name="wholeRows"/>
    /// (the pattern the hooks read).
    /// </summary>
    private static void Probabilities(float* q, int c, float* kt, int tPad, float* p, float* lse, int t, int hs, int width, bool causal, bool wholeRows)
    {
        float scale = 1f / MathF.Sqrt(hs);
        for (int blk = 0; blk < Blocks(t, causal); blk++)
        {
            var (i0, i1) = Block(blk, t, causal);
            Scores(q, c, kt, tPad, p, i0, i1, t, hs, width);
            for (int i = i0; i < i1; i++)
            {
                var row = new Span<float>(p + (long)i * t, wholeRows ? t : i1);
                var live = row[..Visible(i, t, causal)];
                SoftmaxRows.Exp(live, scale, lse[i]);
                row[live.Length..].Clear();
            }
        }
    }

    /// <summary>S rows [i0, i1) = Q·Kᵀ against keys [0, i1), unscaled (the softmax folds 1/√HS into its exponent).</summary>
    private static void Scores(float* q, int c, float* kt, int tPad, float* s, int i0, int i1, int t, int hs, int width) =>
        PackedGemm.MultiplyInPlace(i1 - i0, i1, hs, q + (long)i0 * 3 * c, 3 * c, 1, kt, tPad, 0f, s + (long)i0 * t, t, width);

    /// <summary>Columns of a padded copy of one head's [T, HS] operand: HS rounded up to whole panels.</summary>
    private static int PanelWidth(int hs, int width) => (hs + width - 1) / width * width;

    /// <summary>
    /// One head's [T, HS] operand as the B of a product with HS columns: in place when HS is a whole number of panels,
    /// else copied into <paramref name="scratch"/> with its rows zero-padded to whole panels, so that no panel read runs
    /// past the tensor's end.
    /// </summary>
    private static float* Panels(float* src, int ld, int t, int hs, int width, float* scratch, out int ldb)
    {
        if (hs % width == 0)
        {
            ldb = ld;
            return src;
        }
        ldb = PanelWidth(hs, width);
        for (int j = 0; j < t; j++)
        {
            var row = new Span<float>(scratch + (long)j * ldb, ldb);
            new ReadOnlySpan<float>(src + (long)j * ld, hs).CopyTo(row);
            row[hs..].Clear();
        }
        return scratch;
    }

    /// <summary>dst [HS, tPad] (ld tPad) ← src [T,HS] (ld <paramref name="ld"/>): one head's keys or values, transposed.</summary>
    private static void Transpose(float* src, int ld, float* dst, int t, int hs, int tPad)
    {
        int tFull = 0, hFull = 0;
        if (System.Runtime.Intrinsics.X86.Avx.IsSupported)
        {
            (tFull, hFull) = (t / 8 * 8, hs / 8 * 8);
            for (int j = 0; j < tFull; j += 8)
                for (int d = 0; d < hFull; d += 8)
                    PackedGemm.Transpose8x8(src + (long)j * ld + d, ld, dst + (long)d * tPad + j, tPad);
        }
        for (int j = 0; j < t; j++)
        {
            float* row = src + (long)j * ld;
            for (int d = j < tFull ? hFull : 0; d < hs; d++) dst[(long)d * tPad + j] = row[d];
        }
    }

    /// <summary>How many keys query <paramref name="i"/> sees.</summary>
    private static int Visible(int i, int t, bool causal) => causal ? i + 1 : t;
}
