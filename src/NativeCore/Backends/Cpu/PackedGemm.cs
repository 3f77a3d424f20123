using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeCore.Backends.Cpu;

/// <summary>
/// Single-precision GEMM for the <c>cpu</c> backend: C[m,n] ← op(A)·op(B) + beta·C, row-major.
/// The Goto/BLIS structure: B is packed into KC×NR panels and a register-blocked FMA micro-kernel does the arithmetic:
/// 6×32 with Vector512 where AVX-512 runs, 6×16 with Vector256 elsewhere (12 accumulators, 2 loads and 6 broadcasts per
/// k either way). A is never packed: each broadcast needs one float, so the micro-kernel reads A in place, six rows
/// at a time, along its rows or, transposed, across six adjacent columns. Transposes only change how B's packing and A's
/// strides read.
/// </summary>
/// <remarks>
/// Deterministic: every element of C is summed by one thread in increasing k order, whatever the thread count.
/// </remarks>
// The packing buffer and edge tiles are fully written before they are read; zeroing them on every call would cost more
// than some of the small products themselves.
[SkipLocalsInit]
internal static unsafe class PackedGemm
{
    private const int MR = 6;
    private const int NR = Width256;
    private const int KC = 256;
    private const int MC = 96;
    private const int NC = 2048;

    [ThreadStatic] private static float[]? t_bPack;

    /// <summary>Rows of op(B) packed together and swept by one parallel region: eight KC blocks.</summary>
    private const int KSuper = 8 * KC;

    /// <summary>Largest packed-B buffer (floats) taken from the stack rather than the array pool.</summary>
    private const int SmallPack = 16 * 1024;

    /// <summary>Columns of C handled by one parallel work item (a multiple of every NR).</summary>
    private const int NChunk = 256;

    /// <summary>Work items below which a macro block splits its columns finer than <see cref="NChunk"/>.</summary>
    private const int MinItems = 6;

    /// <summary>Row blocks from which a work item takes every column instead of one <see cref="NChunk"/>.</summary>
    private const int WideChunkRowBlocks = 8;

    /// <summary>The micro-kernel's width in columns on the 256-bit path.</summary>
    internal const int Width256 = 16;

    /// <summary>The micro-kernel's width in columns on the 512-bit path.</summary>
    internal const int Width512 = 32;

    /// <summary>The width this process uses: the 512-bit kernel wherever the runtime accelerates Vector512.</summary>
    internal static readonly int DefaultWidth = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? Width512 : Width256;

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float* a, float* b, float beta, float* c) =>
        Multiply(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, beta, c, n, parallel: true, DefaultWidth);

    /// <summary>
    /// The general form over strided matrices: lda, ldb and ldc are the row strides of A, B and C as stored, so that a
    /// head's slice of a packed qkv tensor can be multiplied in place. <paramref name="parallel"/> false keeps the
    /// work on the calling thread (the caller already runs one GEMM per core).
    /// </summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, bool parallel) =>
        Multiply(transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc, parallel, DefaultWidth);

    /// <summary>
    /// As above, with the micro-kernel width chosen by the caller (<see cref="Width256"/> or <see cref="Width512"/>), so
    /// that tests run both paths on a machine that has both. Both sum every element of C in the same k order with fused
    /// multiply-adds, so they agree bit for bit, and results do not depend on which machine a run lands on.
    /// </summary>
    internal static void Multiply(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, bool parallel, int width)
    {
        if (width != Width256 && !(width == Width512 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported))
            throw new ArgumentOutOfRangeException(nameof(width), width, "the 256-bit kernel everywhere, the 512-bit one only where AVX-512 runs");
        if (m == 0 || n == 0) return;
        parallel &= CpuParallel.Forks;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) ScaleC(c + (long)i * ldc, n, beta);
            return;
        }
        // The packed-B buffer holds one super block of k (up to KSuper rows of op(B), in KC blocks) and is sized to the
        // problem: small products (one attention head) pack on the stack, so a stream of them allocates nothing.
        int nrw = width;
        int ncPad = (Math.Min(NC, n) + nrw - 1) / nrw * nrw;
        int packLength = Math.Min(KSuper, k) * ncPad + 16;
        // Larger ones reuse this thread's buffer: a super block can pass the array pool's largest size, and a fresh
        // multi-megabyte array per call would be zeroed and collected every time.
        float[]? cached = packLength > SmallPack ? ThreadScratch.Get(ref t_bPack, packLength) : null;
        Span<float> pack = cached is null ? stackalloc float[packLength] : cached;
        fixed (float* bPackBase = pack)
        {
            float* bPack = Align64(bPackBase);
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int ps = 0; ps < k; ps += KSuper)
                {
                    int pe = Math.Min(k, ps + KSuper);
                    PackSuperBlock(transB, b, ldb, ps, pe, jc, nc, bPack, KC * ncPad, parallel, nrw);
                    MacroBlock(transA, a, lda, m, ps, pe, bPack, KC * ncPad, jc, nc, beta, c, ldc, parallel, nrw);
                }
            }
        }
    }

    /// <summary>
    /// C[m,n] ← A·B + beta·C on the calling thread, with both operands read in place: no packing, for products small
    /// enough that their operands stay in cache (one attention head). Element (i, p) of A is at
    /// a[i·aRowStride + p·aKStride], so a transposed A costs nothing; B is row-major with stride ldb.
    /// </summary>
    /// <remarks>
    /// The micro-kernel reads whole panels, so every row of B must be readable <paramref name="width"/> floats past
    /// each panel start below n: round n's storage up to the width, or pad the last row.
    /// </remarks>
    internal static void MultiplyInPlace(int m, int n, int k, float* a, nint aRowStride, nint aKStride, float* b, int ldb, float beta, float* c, int ldc, int width)
    {
        if (m <= 0 || n <= 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) ScaleC(c + (long)i * ldc, n, beta);
            return;
        }
        for (int jr = 0; jr < n; jr += width)
            PanelColumn(k, a, aRowStride, aKStride, m, b + jr, ldb, c + jr, ldc, Math.Min(width, n - jr), beta, width);
    }

    /// <summary>
    /// C[0..m, 0..nr) ← A (m×k, element (i, p) at a[i·aRowStride + p·aKStride]) · one B panel (k rows, bStride apart)
    /// + beta·C: the micro-kernel over the column's six-row tiles.
    /// </summary>
    private static void PanelColumn(int k, float* a, nint aRowStride, nint aKStride, int m, float* bPanel, nint bStride, float* c, int ldc, int nr, float beta, int width)
    {
        for (int ir = 0; ir < m; ir += MR)
        {
            int mr = Math.Min(MR, m - ir);
            float* aTile = a + ir * aRowStride;
            float* cTile = c + (long)ir * ldc;
            if (width == Width512) MicroKernel512(k, aTile, aRowStride, aKStride, bPanel, bStride, cTile, ldc, mr, nr, beta);
            else MicroKernel(k, aTile, aRowStride, aKStride, bPanel, bStride, cTile, ldc, mr, nr, beta);
        }
    }

    /// <summary>Packs the KC blocks of op(B) rows [ps, pe) one after another, <paramref name="blockStride"/> floats apart.</summary>
    private static void PackSuperBlock(bool transB, float* b, int ldb, int ps, int pe, int jc, int nc, float* dst, int blockStride, bool parallel, int nrw)
    {
        int blocks = (pe - ps + KC - 1) / KC;
        if (blocks == 1)
        {
            PackB(transB, b, ldb, ps, jc, pe - ps, nc, dst, parallel, nrw);
            return;
        }
        nint bP = (nint)b, dP = (nint)dst;
        void Block(int i)
        {
            int pc = ps + i * KC;
            PackB(transB, (float*)bP, ldb, pc, jc, Math.Min(KC, pe - pc), nc, (float*)dP + (long)i * blockStride, parallel: false, nrw);
        }
        if (parallel) CpuParallel.For(blocks, Block);
        else for (int i = 0; i < blocks; i++) Block(i);
    }

    /// <summary>
    /// C[:, jc..jc+nc] += op(A)[:, ps..pe)·(packed B), the first k block (pc = 0) with <paramref name="beta"/>. Each
    /// work item owns a block of C and runs every KC block of the super block over it, so a long-k product (a weight
    /// gradient, k = B·T) forks once per super block rather than once per KC block.
    /// </summary>
    private static void MacroBlock(bool transA, float* a, int lda, int m, int ps, int pe, float* bPackAll, int blockStride, int jc, int nc, float beta, float* c, int ldc, bool parallel, int nrw)
    {
        int mBlocks = (m + MC - 1) / MC;
        // With enough row blocks to keep every core busy, each work item takes all of the columns, so that its A block
        // is read from memory once rather than once per column chunk; few row blocks split the columns too.
        int chunk = mBlocks >= WideChunkRowBlocks ? nc : NChunk;
        // A product with one or two row blocks (the LM head's weight gradient has a row per vocabulary entry) splits
        // its columns finer, down to one panel, so that it does not run on one core.
        if (parallel && mBlocks * ((nc + chunk - 1) / chunk) < MinItems)
            chunk = Math.Max(nrw, (nc * mBlocks + MinItems - 1) / MinItems / nrw * nrw);
        int nChunks = (nc + chunk - 1) / chunk;
        int items = mBlocks * nChunks;
        // Pointers cannot be captured by lambdas; carry them as integers.
        nint aP = (nint)a, bP = (nint)bPackAll, cP = (nint)c;
        void Work(int item)
        {
            int ib = item / nChunks, jb = item % nChunks;
            int ic = ib * MC, mc = Math.Min(MC, m - ic);
            int j0 = jb * chunk, j1 = Math.Min(nc, j0 + chunk);
            for (int pc = ps; pc < pe; pc += KC)
            {
                int kc = Math.Min(KC, pe - pc);
                float blockBeta = pc == 0 ? beta : 1f;
                float* bPack = (float*)bP + (long)((pc - ps) / KC) * blockStride;
                // A is read in place by the micro-kernel's broadcasts, six rows at a time: a row-major A along its
                // rows, a transposed one (a weight gradient's dyᵀ) as six adjacent floats of each stored row. Each
                // broadcast needs one float, so packing would only copy them.
                float* aBlock = transA ? (float*)aP + (long)pc * lda + ic : (float*)aP + (long)ic * lda + pc;
                nint rowStride = transA ? 1 : lda, kStride = transA ? lda : 1;
                float* cBlock = (float*)cP + (long)ic * ldc + jc;
                for (int jr = j0; jr < j1; jr += nrw)
                    PanelColumn(kc, aBlock, rowStride, kStride, mc, bPack + (jr / nrw) * nrw * kc, nrw, cBlock + jr, ldc, Math.Min(nrw, j1 - jr), blockBeta, nrw);
            }
        }
        if (!parallel || items == 1 || (long)m * nc * (pe - ps) < 32 * 1024)
        {
            for (int i = 0; i < items; i++) Work(i);
        }
        else
        {
            CpuParallel.For(items, Work);
        }
    }

    /// <summary>Packs op(B)[pc.., jc..] (kc×nc) into nrw-wide panels, k-major inside each panel, zero-padded.</summary>
    private static void PackB(bool transB, float* b, int ldb, int pc, int jc, int kc, int nc, float* dst, bool parallel, int nrw)
    {
        int panels = (nc + nrw - 1) / nrw;
        nint bP = (nint)b, dP = (nint)dst;
        void Panel(int p)
        {
            float* d = (float*)dP + p * nrw * kc;
            float* src = (float*)bP;
            int j0 = jc + p * nrw, w = Math.Min(nrw, jc + nc - j0);
            if (!transB)
            {
                for (int kk = 0; kk < kc; kk++)
                {
                    float* row = src + (long)(pc + kk) * ldb + j0;
                    if (w == nrw)
                    {
                        for (int v = 0; v < nrw; v += 8) Vector256.Store(Vector256.Load(row + v), d + kk * nrw + v);
                    }
                    else
                    {
                        for (int jj = 0; jj < nrw; jj++) d[kk * nrw + jj] = jj < w ? row[jj] : 0f;
                    }
                }
            }
            else
            {
                // A full panel of a transposed B is a transpose of 8×8 tiles, done in registers; edges go one by one.
                int kFull = Avx.IsSupported && w == nrw ? kc / 8 * 8 : 0;
                for (int jj = 0; jj < nrw && kFull > 0; jj += 8)
                    for (int kk = 0; kk < kFull; kk += 8)
                        Transpose8x8(src + (long)(j0 + jj) * ldb + pc + kk, ldb, d + kk * nrw + jj, nrw);
                for (int jj = 0; jj < nrw; jj++)
                {
                    if (jj < w)
                    {
                        float* col = src + (long)(j0 + jj) * ldb + pc;
                        for (int kk = kFull; kk < kc; kk++) d[kk * nrw + jj] = col[kk];
                    }
                    else
                    {
                        for (int kk = 0; kk < kc; kk++) d[kk * nrw + jj] = 0f;
                    }
                }
            }
        }
        if (parallel && panels > 4 && (long)kc * nc > 16 * 1024) CpuParallel.For(panels, Panel);
        else for (int p = 0; p < panels; p++) Panel(p);
    }

    /// <summary>dst[k·ldd + j] ← src[j·lds + k] for an 8×8 tile: the classic unpack, shuffle and lane-permute transpose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, int lds, float* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds);
        var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds);
        var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds);
        var r7 = Avx.LoadVector256(src + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>
    /// C[mr,nr] ← A (6×kc) · B panel (kc×16) + beta·C, through a register tile. Element (i, p) of A is at
    /// a[i·rowStride + p·kStride]: six rows of a row-major matrix (lda, 1) or six adjacent columns of a transposed one
    /// (1, lda), read in place.
    /// Row p of the B panel starts at bp + p·bStride: a packed panel (bStride = 16) or a matrix read in place (its ld);
    /// all 16 floats of every row are read, whatever nr.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, float* a, nint rowStride, nint kStride, float* bp, nint bStride, float* c, int ldc, int mr, int nr, float beta)
    {
        // Rows at or past mr alias row 0, so an edge tile reads only memory that exists (their results are not stored).
        float* r0 = a, r1 = mr > 1 ? a + rowStride : a, r2 = mr > 2 ? a + 2 * rowStride : a;
        float* r3 = mr > 3 ? a + 3 * rowStride : a, r4 = mr > 4 ? a + 4 * rowStride : a, r5 = mr > 5 ? a + 5 * rowStride : a;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint off = 0;
        for (int p = 0; p < kc; p++, off += kStride)
        {
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 8);
            var a0 = Vector256.Create(r0[off]);
            c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
            var a1 = Vector256.Create(r1[off]);
            c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
            var a2 = Vector256.Create(r2[off]);
            c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
            var a3 = Vector256.Create(r3[off]);
            c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
            var a4 = Vector256.Create(r4[off]);
            c40 = MulAdd(a4, b0, c40); c41 = MulAdd(a4, b1, c41);
            var a5 = Vector256.Create(r5[off]);
            c50 = MulAdd(a5, b0, c50); c51 = MulAdd(a5, b1, c51);
            bp += bStride;
        }
        if (mr == MR && nr == NR)
        {
            StoreRow(c, c00, c01, beta);
            StoreRow(c + ldc, c10, c11, beta);
            StoreRow(c + 2 * ldc, c20, c21, beta);
            StoreRow(c + 3 * ldc, c30, c31, beta);
            StoreRow(c + 4 * ldc, c40, c41, beta);
            StoreRow(c + 5 * ldc, c50, c51, beta);
            return;
        }
        float* tile = stackalloc float[MR * NR];
        Vector256.Store(c00, tile); Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16); Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32); Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48); Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64); Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80); Vector256.Store(c51, tile + 88);
        for (int i = 0; i < mr; i++)
        {
            for (int j = 0; j < nr; j++)
            {
                float* dst = c + (long)i * ldc + j;
                *dst = beta == 0f ? tile[i * NR + j] : tile[i * NR + j] + beta * *dst;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> lo, Vector256<float> hi, float beta)
    {
        if (beta != 0f)
        {
            var vb = Vector256.Create(beta);
            lo = MulAdd(vb, Vector256.Load(c), lo);
            hi = MulAdd(vb, Vector256.Load(c + 8), hi);
        }
        Vector256.Store(lo, c);
        Vector256.Store(hi, c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    /// <summary>
    /// C[mr,nr] ← A (6×kc) · B panel (kc×32) + beta·C, through a register tile of 12 Vector512; A and B are addressed
    /// as in <see cref="MicroKernel"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel512(int kc, float* a, nint rowStride, nint kStride, float* bp, nint bStride, float* c, int ldc, int mr, int nr, float beta)
    {
        // Rows at or past mr alias row 0, so an edge tile reads only memory that exists (their results are not stored).
        float* r0 = a, r1 = mr > 1 ? a + rowStride : a, r2 = mr > 2 ? a + 2 * rowStride : a;
        float* r3 = mr > 3 ? a + 3 * rowStride : a, r4 = mr > 4 ? a + 4 * rowStride : a, r5 = mr > 5 ? a + 5 * rowStride : a;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint off = 0;
        for (int p = 0; p < kc; p++, off += kStride)
        {
            var b0 = Vector512.Load(bp);
            var b1 = Vector512.Load(bp + 16);
            var a0 = Vector512.Create(r0[off]);
            c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
            var a1 = Vector512.Create(r1[off]);
            c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
            var a2 = Vector512.Create(r2[off]);
            c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
            var a3 = Vector512.Create(r3[off]);
            c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
            var a4 = Vector512.Create(r4[off]);
            c40 = MulAdd(a4, b0, c40); c41 = MulAdd(a4, b1, c41);
            var a5 = Vector512.Create(r5[off]);
            c50 = MulAdd(a5, b0, c50); c51 = MulAdd(a5, b1, c51);
            bp += bStride;
        }
        if (mr == MR && nr == Width512)
        {
            StoreRow(c, c00, c01, beta);
            StoreRow(c + ldc, c10, c11, beta);
            StoreRow(c + 2 * ldc, c20, c21, beta);
            StoreRow(c + 3 * ldc, c30, c31, beta);
            StoreRow(c + 4 * ldc, c40, c41, beta);
            StoreRow(c + 5 * ldc, c50, c51, beta);
            return;
        }
        float* tile = stackalloc float[MR * Width512];
        Vector512.Store(c00, tile); Vector512.Store(c01, tile + 16);
        Vector512.Store(c10, tile + 32); Vector512.Store(c11, tile + 48);
        Vector512.Store(c20, tile + 64); Vector512.Store(c21, tile + 80);
        Vector512.Store(c30, tile + 96); Vector512.Store(c31, tile + 112);
        Vector512.Store(c40, tile + 128); Vector512.Store(c41, tile + 144);
        Vector512.Store(c50, tile + 160); Vector512.Store(c51, tile + 176);
        for (int i = 0; i < mr; i++)
        {
            for (int j = 0; j < nr; j++)
            {
                float* dst = c + (long)i * ldc + j;
                *dst = beta == 0f ? tile[i * Width512 + j] : tile[i * Width512 + j] + beta * *dst;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> lo, Vector512<float> hi, float beta)
    {
        if (beta != 0f)
        {
            var vb = Vector512.Create(beta);
            lo = MulAdd(vb, Vector512.Load(c), lo);
            hi = MulAdd(vb, Vector512.Load(c + 16), hi);
        }
        Vector512.Store(lo, c);
        Vector512.Store(hi, c + 16);
    }

    private static void ScaleC(float* c, int length, float beta)
    {
        for (int i = 0; i < length; i++) c[i] = beta == 0f ? 0f : beta * c[i];
    }

    private static float* Align64(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
