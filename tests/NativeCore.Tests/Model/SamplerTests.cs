using NativeCore.Backends;
using NativeCore.Model;

namespace NativeCore.Tests.Model;

public class SamplerTests
{
    private static readonly float[] Logits = [1.0f, 2.5f, 0.2f, 2.0f, -1.0f];

    [Fact]
    public void Temperature_one_draws_follow_the_softmax()
    {
        double[] p = Logits.Select(l => Math.Exp(l)).ToArray();
        double z = p.Sum();
        var counts = new int[Logits.Length];
        const int n = 20_000;
        for (int i = 0; i < n; i++) counts[Sampler.Pick(Logits, 1f, 0, NativeCore.Kernels.CounterHash.Mix(3, (ulong)i))]++;
        for (int j = 0; j < Logits.Length; j++)
        {
            double expected = p[j] / z, se = Math.Sqrt(expected * (1 - expected) / n);
            Assert.True(Math.Abs(counts[j] / (double)n - expected) < 4 * se, $"token {j}: {counts[j] / (double)n:P2} against {expected:P2}");
        }
    }

    [Fact]
    public void Top_k_keeps_only_the_k_largest_and_zero_temperature_is_greedy()
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < 2000; i++) seen.Add(Sampler.Pick(Logits, 1f, 2, (ulong)i * 0x9E3779B97F4A7C15UL));
        Assert.Equal([1, 3], seen.Order());
        Assert.Equal(1, Sampler.Pick(Logits, 0f, 0, 12345));
        Assert.Equal(1, Sampler.Pick(Logits, 5f, 1, 12345));
    }

    /// <summary>A one-block model whose larger-than-usual weights make its next-token distributions uneven.</summary>
    private static Gpt UnevenModel(IBackend be, int blockSize, ulong seed)
    {
        var model = new Gpt(be, new GptConfig { NLayer = 1, NHead = 2, NEmbd = 16, BlockSize = blockSize, VocabSize = 12 });
        model.InitializeWeights(seed);
        model.Parameters.CopyFromHost(model.Parameters.ToArray().Select(w => w * 8f).ToArray());
        return model;
    }

    [Fact]
    public void Generation_is_seeded_and_stops_before_the_stop_token()
    {
        using var be = BackendRegistry.Create("cpu");
        using var model = UnevenModel(be, 8, 1);
        var a = Sampler.Generate(model, [0], 20, 1f, 0, seed: 5);
        Assert.Equal(20, a.Length);
        Assert.Equal(a, Sampler.Generate(model, [0], 20, 1f, 0, seed: 5));
        Assert.NotEqual(a, Sampler.Generate(model, [0], 20, 1f, 0, seed: 6));
        int stopToken = a[3];
        var stopped = Sampler.Generate(model, [0], 20, 1f, 0, seed: 5, stop: t => t == stopToken);
        Assert.Equal(a.TakeWhile(t => t != stopToken), stopped);
    }

    [Fact]
    public void A_batch_of_prompts_of_different_lengths_matches_one_at_a_time()
    {
        using var be = BackendRegistry.Create("cpu");
        using var model = UnevenModel(be, 12, 2);
        IReadOnlyList<int>[] prompts = [[0], [0, 3, 5], [0, 7]];
        // Greedy decoding isolates the padding: a padded batch must pick what each prompt picks alone. 15 new tokens
        // also push past the block size of 12, so the cropped path runs too.
        var batch = Sampler.GenerateBatch(model, prompts, 15, 0f, 0, seed: 9);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(Sampler.Generate(model, prompts[i], 15, 0f, 0, seed: 9), batch[i]);
        // Each sequence draws from its own stream: the same prompt twice gives two different samples.
        var twins = Sampler.GenerateBatch(model, [[0], [0]], 10, 1f, 0, seed: 9);
        Assert.NotEqual(twins[0], twins[1]);
    }

    public static TheoryData<string> Families => ["gpt", "llama"];

    private static Gpt Family(IBackend be, string family, ulong seed)
    {
        var config = family == "gpt"
            ? new GptConfig { NLayer = 2, NHead = 2, NEmbd = 16, BlockSize = 24, VocabSize = 12 }
            : new GptConfig { NLayer = 2, NHead = 2, NEmbd = 16, BlockSize = 24, VocabSize = 12, Bias = false, Norm = NormKinds.RmsNorm, Activation = ActivationKinds.SwiGlu, Position = PositionKinds.Rope, InnerOverride = 24 };
        var model = new Gpt(be, config);
        model.InitializeWeights(seed);
        model.Parameters.CopyFromHost(model.Parameters.ToArray().Select(w => w * 6f).ToArray());
        return model;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_kv_cache_gives_the_logits_and_tokens_of_recomputing_the_context(string family)
    {
        using var be = BackendRegistry.Create("cpu");
        using var model = Family(be, family, 4);
        int[] context = [0, 5, 3, 11, 2, 7, 7, 1, 9, 4, 0, 6];
        using (var decoder = model.StartDecoding())
        {
            for (int pos = 0; pos < context.Length; pos++)
            {
                float[] cached = decoder.Append(context[pos]);
                model.Forward(context.AsSpan(0, pos + 1), [], 1, pos + 1);
                float[] full = model.LogitsAt(0, pos);
                for (int v = 0; v < full.Length; v++)
                    Assert.True(Math.Abs(cached[v] - full[v]) <= 1e-5f * (1 + Math.Abs(full[v])), $"{family}: position {pos}, logit {v}: cached {cached[v]}, recomputed {full[v]}");
            }
            Assert.Equal(context.Length, decoder.Length);
        }
        // Sampled generation, prompts of different lengths: the cached path picks the tokens the recomputing one does.
        IReadOnlyList<int>[] prompts = [[0], [0, 3, 5], [0, 7, 7, 2]];
        var withCache = Sampler.GenerateBatch(model, prompts, 16, 1f, 0, seed: 3);
        var recomputed = Sampler.GenerateBatch(model, prompts, 16, 1f, 0, seed: 3, cache: false);
        Assert.Equal(recomputed, withCache);
        Assert.All(withCache, g => Assert.Equal(16, g.Length));
        Assert.All(Sampler.GenerateBatch(model, prompts, 0, 1f, 0, seed: 3), g => Assert.Empty(g));
    }
}
