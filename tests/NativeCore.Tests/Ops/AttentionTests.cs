using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class AttentionTests
{
    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Forward_pattern_and_backward_match_reference(string backend)
    {
        using var be = TestBackends.Create(backend);
        // Odd sizes; heads of 16 over 20 positions, which the cpu backend transposes in 8×8 tiles plus edges; heads of
        // 32 over 70 positions, several causal query blocks with a partial last one.
        foreach (var (b, t, c, nh) in new[] { (2, 13, 15, 3), (1, 20, 32, 2), (1, 70, 64, 2) })
        foreach (bool causal in new[] { true, false })
        {
            double[] qkv = RandomF(b * t * 3 * c, 1), dy = RandomF(b * t * c, 2);
            double[] o = new double[b * t * c], p = new double[b * nh * t * t], lse = new double[b * nh * t], dqkv = new double[qkv.Length];
            ReferenceOps.AttentionForward(o, p, lse, qkv, b, t, c, nh, causal);
            ReferenceOps.AttentionBackward(dqkv, dy, qkv, p, b, t, c, nh, causal);

            var to = Upload(be, new double[o.Length]);
            var tl = Upload(be, new double[lse.Length]);
            var tq = Upload(be, qkv);
            be.AttentionForward(to, tl, tq, b, t, c, nh, causal);
            Close(o, Download(to), 1e-5, $"out (causal {causal})");
            Close(lse, Download(tl), 1e-5, $"lse (causal {causal})");
            var tp = Upload(be, new double[p.Length]);
            be.AttentionPattern(tp, tq, tl, b, t, c, nh, causal);
            Close(p, Download(tp), 1e-5, $"pattern (causal {causal})");
            var td = Upload(be, new double[qkv.Length]);
            be.AttentionBackward(td, Upload(be, dy), tq, to, tl, b, t, c, nh, causal);
            Close(dqkv, Download(td), 1e-4, $"dqkv (causal {causal})");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Decode_is_the_last_row_of_causal_attention(string backend)
    {
        using var be = TestBackends.Create(backend);
        foreach (var (t, c, nh) in new[] { (1, 8, 2), (7, 15, 3), (20, 32, 2) })
        {
            double[] qkv = RandomF(t * 3 * c, 5);
            double[] o = new double[t * c], p = new double[nh * t * t], lse = new double[nh * t], d = new double[c];
            ReferenceOps.AttentionForward(o, p, lse, qkv, 1, t, c, nh, causal: true);
            ReferenceOps.AttentionDecode(d, qkv, t, c, nh);
            Close(o[((t - 1) * c)..], d, 1e-12, $"reference decode against the forward's last row (t {t})");
            var to = Upload(be, new double[c]);
            be.AttentionDecode(to, Upload(be, qkv), t, c, nh);
            Close(d, Download(to), 1e-5, $"decode (t {t}, c {c}, nh {nh})");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pattern_rows_are_distributions_over_the_keys_a_query_sees(bool causal)
    {
        const int b = 1, t = 6, c = 8, nh = 2;
        double[] p = new double[b * nh * t * t];
        ReferenceOps.AttentionForward(new double[b * t * c], p, [], Random(b * t * 3 * c, 3), b, t, c, nh, causal);
        for (int row = 0; row < nh * t; row++)
        {
            int visible = causal ? row % t + 1 : t;
            var r = p.AsSpan(row * t, t).ToArray();
            Assert.Equal(1.0, r[..visible].Sum(), 12);
            Assert.All(r[..visible], v => Assert.True(v > 0, "every visible key gets weight"));
            Assert.All(r[visible..], v => Assert.Equal(0.0, v));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Backward_matches_finite_differences(string backend)
    {
        const int b = 2, t = 4, c = 6, nh = 2;
        using var be = TestBackends.Create(backend);
        double[] qkv = RandomF(b * t * 3 * c, 4), dy = RandomF(b * t * c, 5);
        foreach (bool causal in new[] { true, false })
        {
            double[] F(double[] x)
            {
                var o = new double[b * t * c];
                ReferenceOps.AttentionForward(o, new double[b * nh * t * t], [], x, b, t, c, nh, causal);
                return o;
            }
            var tq = Upload(be, qkv);
            var to = Upload(be, new double[b * t * c]);
            var tl = Upload(be, new double[b * nh * t]);
            be.AttentionForward(to, tl, tq, b, t, c, nh, causal);
            var td = Upload(be, new double[qkv.Length]);
            be.AttentionBackward(td, Upload(be, dy), tq, to, tl, b, t, c, nh, causal);
            Close(NumericalGradient(F, qkv, dy), Download(td), 1e-4, $"dqkv (causal {causal})");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Backward_reads_the_saved_lse_rather_than_recomputing_it(string backend)
    {
        // A wrong lse must change the gradient: proof that the backward pass rebuilds the probabilities from it.
        const int b = 1, t = 5, c = 4, nh = 1;
        Skip.If(backend == "reference", "the reference recomputes the whole softmax in double by design");
        using var be = TestBackends.Create(backend);
        double[] qkv = RandomF(b * t * 3 * c, 6), dy = RandomF(b * t * c, 7);
        var tq = Upload(be, qkv);
        var to = Upload(be, new double[b * t * c]);
        var tl = Upload(be, new double[b * nh * t]);
        be.AttentionForward(to, tl, tq, b, t, c, nh, causal: true);
        var good = Upload(be, new double[qkv.Length]);
        be.AttentionBackward(good, Upload(be, dy), tq, to, tl, b, t, c, nh, causal: true);
        var shifted = Upload(be, Download(tl).Select(v => v + 1.0).ToArray());
        var bad = Upload(be, new double[qkv.Length]);
        be.AttentionBackward(bad, Upload(be, dy), tq, to, shifted, b, t, c, nh, causal: true);
        Assert.NotEqual(Download(good), Download(bad));
    }
}
