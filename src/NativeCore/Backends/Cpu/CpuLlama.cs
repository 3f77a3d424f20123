using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>The LLaMA-style ops on the host: the SwiGLU gate and rotary position embeddings.</summary>
internal static class CpuLlama
{
    /// <summary>out[r,:] ← silu(gate)·up, gate and up the two halves of input row r.</summary>
    public static void SwiGluForward(HostView output, HostView input, int n, int h) =>
        FixedChunks.For(n, (_, s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var gate = input.Slice(r * 2 * h, h);
                var o = output.Slice(r * h, h);
                // silu(g) = g·σ(g), vectorised through TensorPrimitives.Sigmoid.
                TensorPrimitives.Sigmoid(gate, o);
                TensorPrimitives.Multiply(o, gate, o);
                TensorPrimitives.Multiply(o, input.Slice(r * 2 * h + h, h), o);
            }
        }, 16);

    /// <summary>dgate += dout·up·σ(g)(1 + g(1 − σ(g))); dup += dout·silu(g).</summary>
    public static void SwiGluBackward(HostView dinput, HostView input, HostView dout, int n, int h) =>
        FixedChunks.For(n, (_, s, e) =>
        {
            var sig = new float[h];
            for (int r = s; r < e; r++)
            {
                var gate = input.Slice(r * 2 * h, h);
                var up = input.Slice(r * 2 * h + h, h);
                var dy = dout.Slice(r * h, h);
                var dgate = dinput.Slice(r * 2 * h, h);
                var dup = dinput.Slice(r * 2 * h + h, h);
                TensorPrimitives.Sigmoid(gate, sig);
                for (int j = 0; j < h; j++)
                {
                    float g = gate[j], sg = sig[j];
                    dgate[j] += dy[j] * up[j] * sg * (1f + g * (1f - sg));
                    dup[j] += dy[j] * g * sg;
                }
            }
        }, 16);

    /// <summary>Rotates (or, inverse, turns back) q and k of every head and position in place.</summary>
    public static void Rope(HostView qkv, int b, int t, int c, int nh, float theta, bool inverse)
    {
        int hs = c / nh, half = hs / 2;
        var (cos, sin) = RopeTables.Build(t, hs, theta, inverse);
        FixedChunks.For(b * t, (_, s, e) =>
        {
            for (int row = s; row < e; row++)
            {
                int pos = row % t;
                for (int part = 0; part < 2; part++)
                    for (int h = 0; h < nh; h++)
                    {
                        var x = qkv.Slice(row * 3 * c + part * c + h * hs, hs);
                        for (int i = 0; i < half; i++)
                        {
                            float x1 = x[i], x2 = x[i + half], cs = cos[pos * half + i], sn = sin[pos * half + i];
                            x[i] = x1 * cs - x2 * sn;
                            x[i + half] = x2 * cs + x1 * sn;
                        }
                    }
            }
        }, 16);
    }
}
