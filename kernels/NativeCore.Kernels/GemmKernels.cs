using ILGPU;

namespace NativeCore.Kernels;

/// <summary>Shape and mode of one GEMM launch: C[M,N] ← op(A)·op(B) + Beta·C, row-major.</summary>
public readonly struct GemmArgs
{
    /// <summary>Creates the arguments.</summary>
    public GemmArgs(int m, int n, int k, bool transA, bool transB, float beta)
    {
        M = m;
        N = n;
        K = k;
        TransA = transA ? 1 : 0;
        TransB = transB ? 1 : 0;
        Beta = beta;
    }

    /// <summary>Rows of C.</summary>
    public int M { get; }
    /// <summary>Columns of C.</summary>
    public int N { get; }
    /// <summary>Inner dimension.</summary>
    public int K { get; }
    /// <summary>1 when A is stored [K,M].</summary>
    public int TransA { get; }
    /// <summary>1 when B is stored [N,K].</summary>
    public int TransB { get; }
    /// <summary>0 to overwrite C, 1 to accumulate.</summary>
    public float Beta { get; }
}

/// <summary>Matrix multiplication kernels.</summary>
public static class GemmKernels
{
    /// <summary>Largest tile edge; the launch picks the edge from the device's group size (4 on ILGPU's CPU emulator, 16 on GPUs).</summary>
    public const int MaxTile = 16;

    /// <summary>
    /// Shared-memory tiled GEMM. Launch with groups of (tile, tile) threads over a grid of ⌈N/tile⌉ × ⌈M/tile⌉ groups.
    /// Each group stages one tile of op(A) and op(B) per step of K; edges are zero-filled, so every shape works.
    /// </summary>
    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArgs g)
    {
        var tileA = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        var tileB = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        int tile = Group.DimX;
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * tile + ty;
        int col = Grid.IdxX * tile + tx;
        float acc = 0f;
        for (int k0 = 0; k0 < g.K; k0 += tile)
        {
            int ka = k0 + tx;
            tileA[ty * tile + tx] = row < g.M && ka < g.K ? (g.TransA != 0 ? a[ka * g.M + row] : a[row * g.K + ka]) : 0f;
            int kb = k0 + ty;
            tileB[ty * tile + tx] = kb < g.K && col < g.N ? (g.TransB != 0 ? b[col * g.K + kb] : b[kb * g.N + col]) : 0f;
            Group.Barrier();
            for (int kk = 0; kk < tile; kk++) acc += tileA[ty * tile + kk] * tileB[kk * tile + tx];
            Group.Barrier();
        }
        if (row < g.M && col < g.N)
        {
            int idx = row * g.N + col;
            c[idx] = g.Beta == 0f ? acc : acc + g.Beta * c[idx];
        }
    }
}
