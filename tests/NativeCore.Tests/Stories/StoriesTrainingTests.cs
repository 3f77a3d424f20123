using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Stories;

namespace NativeCore.Tests.Stories;

public sealed class StoriesTrainingTests : TempDirectoryTest
{
    private static readonly string[] Tiny = ["model.n_layer=1", "model.n_head=2", "model.n_embd=32", "model.n_inner=64", "model.block_size=64", "batch_size=4", "eval_every=10"];

    [Fact]
    public void Batches_are_seeded_windows_of_the_protocols_stream()
    {
        var corpus = StoryCorpus.Procedural(3);
        var batches = new StoryBatches(corpus, DeletionProtocol.Filter, 9);
        var (tokens, targets) = batches.Batch(5, 4, 64);
        Assert.Equal(tokens, batches.Batch(5, 4, 64).Tokens);
        Assert.NotEqual(tokens, batches.Batch(6, 4, 64).Tokens);
        for (int r = 0; r < 4; r++)
            Assert.Equal(tokens.AsSpan(r * 64 + 1, 63).ToArray(), targets.AsSpan(r * 64, 63).ToArray());
        // Filtered stream: no example lists Twist.
        var text = corpus.Decode(corpus.Stream(DeletionProtocol.Filter, 0, 20_000));
        Assert.DoesNotContain("Twist", text, StringComparison.Ordinal);
        Assert.Contains("Twist", corpus.Decode(corpus.Stream(DeletionProtocol.None, 0, 20_000)), StringComparison.Ordinal);
    }

    [Fact]
    public void Held_out_windows_come_from_examples_no_training_step_reads()
    {
        var config = new StoriesConfig();
        var corpus = config.OpenCorpus();
        var (heldOut, first, distinct) = config.OpenHeldOut(corpus);
        Assert.True(distinct);
        Assert.Equal(StoryScoring.HeldOutStart, first);
        // Row 0 of a held-out batch is a window of the stream that starts at the held-out index, not at example 0.
        var (tokens, _) = new StoryBatches(heldOut, DeletionProtocol.None, 0xE7A1, first).Batch(0, 1, 64);
        var stream = corpus.Stream(DeletionProtocol.None, first, 2 * 65);
        Assert.Contains(Enumerable.Range(0, stream.Count - 64), o => stream.Skip(o).Take(64).SequenceEqual(tokens));
        var training = corpus.Stream(DeletionProtocol.None, 0, 2 * 65);
        Assert.DoesNotContain(Enumerable.Range(0, training.Count - 64), o => training.Skip(o).Take(64).SequenceEqual(tokens));

        // A real shard without a held-out shard is its own held-out set, and says so.
        var real = config with { Corpus = Path.Combine(AppContext.BaseDirectory, "Stories", "Fixtures", "tinystories-instruct-fixture.json") };
        Assert.False(real.OpenHeldOut(real.OpenCorpus()).Distinct);
        Assert.True((real with { HeldOut = real.Corpus }).OpenHeldOut(real.OpenCorpus()).Distinct);
    }

    [Fact]
    public void Pretrain_then_delete_records_the_parent_and_lowers_the_loss()
    {
        using var be = BackendRegistry.Create("cpu");
        var config = new StoriesConfig().WithOverrides([.. Tiny, "steps=30", "lr=0.003"]);
        var pre = StoriesTraining.Train(null, config, be, Dir("pt"), "pretrain");
        Assert.True(pre.EvalLoss[^1][1] < pre.EvalLoss[0][1], $"held-out loss {pre.EvalLoss[0][1]} → {pre.EvalLoss[^1][1]}");
        var deleted = StoriesTraining.Train(Dir("pt"), pre.Config.WithOverrides(["protocol=f", "steps=5"]), be, Dir("del"), "delete");
        Assert.Equal(NativeCore.Training.Checkpoint.Sha256(Path.Combine(Dir("pt"), "model.safetensors")), deleted.Parent!.Sha256);
        Assert.Equal("f", deleted.Config.Protocol);
        var (info, gpt) = StoriesModel.Load(Dir("del"), be);
        using (gpt) Assert.Equal(WordTokenizer.ProcStories.Count, gpt.Config.VocabSize);
        Assert.Throws<InvalidConfigException>(() => StoriesTraining.Train(null, config, be, Dir("pt"), "pretrain"));
    }

    [Fact]
    public void Score_and_probes_run_on_a_small_model()
    {
        using var be = BackendRegistry.Create("cpu");
        StoriesTraining.Train(null, new StoriesConfig().WithOverrides([.. Tiny, "steps=10"]), be, Dir("m"), "pretrain");
        var (info, gpt) = StoriesModel.Load(Dir("m"), be);
        using (gpt)
        {
            var corpus = info.Config.OpenCorpus();
            var (score, stories) = StoryScoring.Score(gpt, corpus, 8, seed: 1, maxTokens: 20, batchSize: 4);
            Assert.Equal(8, score.Stories);
            Assert.Equal(8, stories.Count);
            Assert.InRange(score.ParseRate, 0, 1);
            Assert.Equal(stories, StoryScoring.Score(gpt, corpus, 8, seed: 1, maxTokens: 20, batchSize: 4).Stories);
            var probes = StoryProbes.Run(gpt, corpus, 64, 32, new ProbeConfig(Iterations: 50));
            Assert.Equal(2, probes.Count);
            Assert.All(probes, p => Assert.Equal(6, p.Results.Count));
            Assert.All(probes.SelectMany(p => p.Results.Values), r => Assert.InRange(r.TestAccuracy, 0, 1));
        }
    }

    [Fact]
    public void Overrides_are_checked_by_name_and_type()
    {
        var ex = Assert.Throws<InvalidConfigException>(() => new StoriesConfig().WithOverrides(["model.n_emb=3"]));
        Assert.Contains("n_emb", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidConfigException>(() => new StoriesConfig().WithOverrides(["steps=many"]));
        Assert.Contains("wrong type", ex.Message, StringComparison.Ordinal);
    }
}
