using ILGPU;
using ILGPU.Algorithms;

namespace NativeCore.Kernels;

/// <summary>The LLaMA-style ops: the SwiGLU gate and rotary position embeddings.</summary>
public static class LlamaKernels
{
    /// <summary>out[r,j] ← silu(g)·u with g, u the two halves of input row r; one thread per output element.</summary>
    public static void SwiGluForward(Index1D i, ArrayView<float> output, ArrayView<float> input, int h)
    {
        int r = i / h, j = i % h;
        float g = input[r * 2 * h + j];
        output[i] = g / (1f + XMath.Exp(-g)) * input[r * 2 * h + h + j];
    }

    /// <summary>dgate += dout·u·σ(g)(1 + g(1 − σ(g))), dup += dout·silu(g); one thread per output element.</summary>
    public static void SwiGluBackward(Index1D i, ArrayView<float> dinput, ArrayView<float> input, ArrayView<float> dout, int h)
    {
        int r = i / h, j = i % h;
        int gi = r * 2 * h + j, ui = gi + h;
        float g = input[gi], u = input[ui], sg = 1f / (1f + XMath.Exp(-g)), dy = dout[i];
        dinput[gi] += dy * u * sg * (1f + g * (1f - sg));
        dinput[ui] += dy * g * sg;
    }

    /// <summary>
    /// One thread per (row, part ∈ {q, k}, head, pair i): turns channels i and i + HS/2 by the position's angle,
    /// read from host-computed cos and sin tables [T, HS/2] (sin already negated for the inverse).
    /// </summary>
    public static void Rope(Index1D idx, ArrayView<float> qkv, ArrayView<float> cos, ArrayView<float> sin, int t, int c, int nh)
    {
        int hs = c / nh, half = hs / 2;
        int i = idx % half, rest = idx / half;
        int h = rest % nh, rest2 = rest / nh;
        int part = rest2 % 2, row = rest2 / 2;
        int pos = row % t;
        int o = row * 3 * c + part * c + h * hs + i;
        float x1 = qkv[o], x2 = qkv[o + half], cs = cos[pos * half + i], sn = sin[pos * half + i];
        qkv[o] = x1 * cs - x2 * sn;
        qkv[o + half] = x2 * cs + x1 * sn;
    }
}
