using NativeCore.Backends;
using NativeCore.Kernels;
using NativeCore.Model;

namespace NativeCore.Tests.Model;

/// <summary>
/// The training step on the cpu backend runs in batch shards (<see cref="IBackend.TrainingShards"/>): the summed shard
/// gradients and the loss must be those of the whole batch at once, up to the rounding of a different summation order.
/// </summary>
public sealed class ShardedStepTests
{
    private static (int[] Tokens, int[] Targets) Batch(int b, int t, int vocab)
    {
        var tokens = new int[b * t];
        var targets = new int[b * t];
        for (int i = 0; i < b * t; i++)
        {
            tokens[i] = (int)(CounterHash.Mix(31, (ulong)i) % (ulong)vocab);
            // Some positions do not count, and shards hold different numbers of counted positions.
            targets[i] = i % 5 == 0 || (i < t && i % 2 == 0) ? -1 : (int)(CounterHash.Mix(32, (ulong)i) % (ulong)vocab);
        }
        return (tokens, targets);
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    public void Sharded_gradients_and_loss_match_the_whole_batch(int b, bool tied)
    {
        var config = new GptConfig { NLayer = 2, NHead = 2, NEmbd = 32, BlockSize = 12, VocabSize = 19, TiedEmbeddings = tied };
        int t = config.BlockSize;
        var (tokens, targets) = Batch(b, t, config.VocabSize);
        using var be = BackendRegistry.Create("cpu");
        Assert.Equal(2, be.TrainingShards(b));
        using var model = new Gpt(be, config);
        model.InitializeWeights(5);

        float whole = model.Forward(tokens, targets, b, t);
        model.Backward();
        float[] expected = model.Gradients.ToArray();

        float sharded = model.TrainStep(tokens, targets, b, t, dropoutSeed: 0);
        float[] actual = model.Gradients.ToArray();

        Assert.True(Math.Abs(sharded - whole) <= 1e-6f * Math.Abs(whole), $"loss {sharded} against {whole}");
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * scale, $"gradient {i} ({model.Layout.Parameters.Last(p => p.Offset <= i).Name}): {actual[i]} against {expected[i]}");
        Assert.NotEqual(0, actual.Count(g => g != 0));
    }

    [Fact]
    public void A_single_sequence_is_one_shard_and_gives_the_whole_batch_bits()
    {
        var config = new GptConfig { NLayer = 1, NHead = 2, NEmbd = 16, BlockSize = 8, VocabSize = 11 };
        var (tokens, targets) = Batch(1, config.BlockSize, config.VocabSize);
        using var be = BackendRegistry.Create("cpu");
        Assert.Equal(1, be.TrainingShards(1));
        using var model = new Gpt(be, config);
        model.InitializeWeights(3);
        float whole = model.Forward(tokens, targets, 1, config.BlockSize, training: true, dropoutSeed: 9);
        model.Backward();
        float[] expected = model.Gradients.ToArray();
        Assert.Equal(whole, model.TrainStep(tokens, targets, 1, config.BlockSize, dropoutSeed: 9));
        Assert.Equal(expected, model.Gradients.ToArray());
    }
}
