using ILGPU;

namespace NativeCore.Kernels;

/// <summary>Token plus position embedding.</summary>
public static class EmbeddingKernels
{
    /// <summary>out[b,t,c] ← wte[tok,c] + wpe[t,c] (no wpe when <paramref name="hasPositions"/> is 0); one thread per output element.</summary>
    public static void Forward(Index1D i, ArrayView<float> output, ArrayView<int> tokens, ArrayView<float> wte, ArrayView<float> wpe, int t, int c, int hasPositions)
    {
        int row = i / c, ch = i % c;
        output[i] = wte[tokens[row] * c + ch] + (hasPositions != 0 ? wpe[row % t * c + ch] : 0f);
    }

    /// <summary>
    /// dwte[tok,c] += dout[n,c] over all positions n: one thread per channel walks the positions in order, so every
    /// sum has one fixed order and no float atomics are needed.
    /// </summary>
    public static void BackwardTokens(Index1D ch, ArrayView<float> dwte, ArrayView<float> dout, ArrayView<int> tokens, int n, int c)
    {
        for (int r = 0; r < n; r++) dwte[tokens[r] * c + ch] += dout[r * c + ch];
    }

    /// <summary>dwpe[t,c] += Σ_b dout[b,t,c]: one thread per (t, c), batches summed in order.</summary>
    public static void BackwardPositions(Index1D i, ArrayView<float> dwpe, ArrayView<float> dout, int b, int t, int c)
    {
        int pos = i / c, ch = i % c;
        float s = 0f;
        for (int bi = 0; bi < b; bi++) s += dout[(bi * t + pos) * c + ch];
        dwpe[pos * c + ch] += s;
    }
}
