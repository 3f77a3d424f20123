using NativeCore.Backends;
using NativeCore.Reference;
using static NativeCore.Tests.Numerics;

namespace NativeCore.Tests.Ops;

public class EmbeddingTests
{
    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Forward_and_backward_match_reference_and_finite_differences(string backend)
    {
        const int b = 3, t = 5, c = 7, v = 4, block = 6;
        // Repeated ids, so the backward's scatter-add has real collisions to sum.
        int[] tokens = [0, 1, 1, 3, 0, 2, 2, 2, 1, 0, 3, 3, 0, 1, 2];
        using var be = TestBackends.Create(backend);
        double[] wte = RandomF(v * c, 1), wpe = RandomF(block * c, 2), dy = RandomF(b * t * c, 3);
        var expected = new double[b * t * c];
        ReferenceOps.EmbeddingForward(expected, tokens, wte, wpe, b, t, c);
        var tok = UploadInts(be, tokens);
        var to = Upload(be, new double[b * t * c]);
        be.EmbeddingForward(to, tok, Upload(be, wte), Upload(be, wpe), b, t, c);
        Close(expected, Download(to), 1e-7, "embedding");

        var tdte = Upload(be, new double[v * c]);
        var tdpe = Upload(be, new double[block * c]);
        be.EmbeddingBackward(tdte, tdpe, Upload(be, dy), tok, b, t, c);
        double[] FTe(double[] w)
        {
            var o = new double[b * t * c];
            ReferenceOps.EmbeddingForward(o, tokens, w, wpe, b, t, c);
            return o;
        }
        double[] FPe(double[] w)
        {
            var o = new double[b * t * c];
            ReferenceOps.EmbeddingForward(o, tokens, wte, w, b, t, c);
            return o;
        }
        Close(NumericalGradient(FTe, wte, dy), Download(tdte), 1e-5, "dwte");
        Close(NumericalGradient(FPe, wpe, dy), Download(tdpe), 1e-5, "dwpe");
    }

    [SkippableTheory]
    [MemberData(nameof(TestBackends.All), MemberType = typeof(TestBackends))]
    public void Without_positions_it_is_a_token_lookup(string backend)
    {
        const int b = 2, t = 3, c = 5, v = 4;
        int[] tokens = [0, 3, 3, 1, 2, 0];
        using var be = TestBackends.Create(backend);
        double[] wte = RandomF(v * c, 4), dy = RandomF(b * t * c, 5);
        var tok = UploadInts(be, tokens);
        var to = Upload(be, new double[b * t * c]);
        be.EmbeddingForward(to, tok, Upload(be, wte), null, b, t, c);
        var expected = tokens.SelectMany(id => wte.Skip(id * c).Take(c)).ToArray();
        Close(expected, Download(to), 1e-7, "embedding without positions");
        var tdte = Upload(be, new double[v * c]);
        be.EmbeddingBackward(tdte, null, Upload(be, dy), tok, b, t, c);
        var dte = new double[v * c];
        ReferenceOps.EmbeddingBackward(dte, [], dy, tokens, b, t, c);
        Close(dte, Download(tdte), 1e-6, "dwte without positions");
    }
}
