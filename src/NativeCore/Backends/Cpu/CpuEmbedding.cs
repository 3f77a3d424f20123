using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>Token plus position embedding on the host.</summary>
internal static class CpuEmbedding
{
    /// <summary>out[b,t,:] ← wte[tok,:] + wpe[t,:], or wte[tok,:] alone without position embeddings.</summary>
    public static void Forward(HostView output, int[] tokens, HostView wte, HostView? wpe, int b, int t, int c) =>
        FixedChunks.For(b * t, (_, s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                if (wpe is { } p) TensorPrimitives.Add(wte.Slice(tokens[i] * c, c), p.Slice(i % t * c, c), output.Slice(i * c, c));
                else wte.Slice(tokens[i] * c, c).CopyTo(output.Slice(i * c, c));
            }
        }, 64);

    /// <summary>
    /// dwte[tok] += dout and dwpe[t] += dout. Channels are split across threads and every thread walks the
    /// positions in order, so each sum is formed in one fixed order: bit-reproducible without atomics.
    /// </summary>
    public static void Backward(HostView dwte, HostView? dwpe, HostView dout, int[] tokens, int b, int t, int c)
    {
        int blocks = Math.Min(FixedChunks.Count, Math.Max(1, c / 16));
        CpuParallel.For(blocks, blk =>
        {
            int c0 = c * blk / blocks, w = c * (blk + 1) / blocks - c0;
            for (int i = 0; i < b * t; i++)
            {
                var dy = dout.Slice(i * c + c0, w);
                var dte = dwte.Slice(tokens[i] * c + c0, w);
                TensorPrimitives.Add(dte, dy, dte);
                if (dwpe is not { } p) continue;
                var dpe = p.Slice(i % t * c + c0, w);
                TensorPrimitives.Add(dpe, dy, dpe);
            }
        });
    }
}
