using NativeCore.Backends.Cpu;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

/// <summary>
/// The cpu attention on each micro-kernel width forced on its own: 256-bit everywhere, 512-bit where AVX-512 runs. Both
/// must match the double reference and agree bit for bit, at head sizes read in place (32, 16) and padded (5).
/// </summary>
public sealed class AttentionWidthTests
{
    public static TheoryData<int, int, int, int> Shapes() => new() { { 2, 70, 64, 2 }, { 1, 53, 48, 3 }, { 1, 30, 15, 3 } };

    private static (float[] Out, float[] Lse, float[] Dqkv) Run(int b, int t, int c, int nh, bool causal, float[] qkv, float[] dy, int widest)
    {
        float[] o = new float[b * t * c], lse = new float[b * nh * t], dqkv = new float[qkv.Length];
        CpuAttention.Forward(new HostView(o, 0, o.Length), new HostView(lse, 0, lse.Length), new HostView(qkv, 0, qkv.Length), b, t, c, nh, causal, widest);
        CpuAttention.Backward(new HostView(dqkv, 0, dqkv.Length), new HostView(dy, 0, dy.Length), new HostView(qkv, 0, qkv.Length),
            new HostView(o, 0, o.Length), new HostView(lse, 0, lse.Length), b, t, c, nh, causal, widest);
        return (o, lse, dqkv);
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Both_widths_match_the_reference_and_each_other(int b, int t, int c, int nh)
    {
        bool wide = PackedGemm.DefaultWidth == PackedGemm.Width512;
        foreach (bool causal in new[] { true, false })
        {
            double[] qkv = RandomF(b * t * 3 * c, 11), dy = RandomF(b * t * c, 12);
            double[] o = new double[b * t * c], p = new double[b * nh * t * t], lse = new double[b * nh * t], dqkv = new double[qkv.Length];
            ReferenceOps.AttentionForward(o, p, lse, qkv, b, t, c, nh, causal);
            ReferenceOps.AttentionBackward(dqkv, dy, qkv, p, b, t, c, nh, causal);
            float[] qf = qkv.Select(x => (float)x).ToArray(), dyf = dy.Select(x => (float)x).ToArray();
            var narrow = Run(b, t, c, nh, causal, qf, dyf, PackedGemm.Width256);
            Close(o, narrow.Out.Select(x => (double)x).ToArray(), 1e-5, $"256-bit out (causal {causal})");
            Close(dqkv, narrow.Dqkv.Select(x => (double)x).ToArray(), 1e-4, $"256-bit dqkv (causal {causal})");
            if (!wide) continue;
            var broad = Run(b, t, c, nh, causal, qf, dyf, PackedGemm.Width512);
            Assert.Equal(narrow.Out, broad.Out);
            Assert.Equal(narrow.Lse, broad.Lse);
            Assert.Equal(narrow.Dqkv, broad.Dqkv);
        }
        Skip.IfNot(wide, "this processor runs only the 256-bit kernel; the 512-bit one was not exercised");
    }
}
