using NativeCore.Backends;
using NativeCore.Kernels;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Tests.Model;

public class TrainingTests
{
    private static readonly GptConfig Small = new() { NLayer = 2, NHead = 2, NEmbd = 32, BlockSize = 16, VocabSize = 16 };

    /// <summary>16 fixed random sequences; the model must memorise them (next-token targets).</summary>
    private static (int[] Tokens, int[] Targets) FixedSequences(int count, int t, int vocab)
    {
        var tokens = new int[count * t];
        var targets = new int[count * t];
        for (int s = 0; s < count; s++)
        {
            var seq = new int[t + 1];
            for (int i = 0; i <= t; i++) seq[i] = (int)(CounterHash.Mix(2024, (ulong)(s * 100 + i)) % (ulong)vocab);
            Array.Copy(seq, 0, tokens, s * t, t);
            Array.Copy(seq, 1, targets, s * t, t);
        }
        return (tokens, targets);
    }

    private static (float[] Weights, List<float> Losses) Train(GptConfig config, int steps, float lr, ulong seed)
    {
        using var be = BackendRegistry.Create("cpu");
        using var model = new Gpt(be, config);
        model.InitializeWeights(seed);
        using var opt = new AdamW(model, new AdamWConfig { LearningRate = lr, WeightDecay = 0.0f });
        var (tokens, targets) = FixedSequences(16, config.BlockSize, config.VocabSize);
        var losses = new List<float>();
        for (int step = 0; step < steps; step++)
        {
            losses.Add(model.Forward(tokens, targets, 16, config.BlockSize, training: true, dropoutSeed: seed * 1_000_003 + (ulong)step));
            model.Backward();
            opt.Step(lr);
        }
        return (model.Parameters.ToArray(), losses);
    }

    [Fact]
    public void Two_layer_gpt_memorises_sixteen_sequences()
    {
        var (_, losses) = Train(Small, steps: 300, lr: 1e-2f, seed: 1);
        Assert.True(losses[0] > 2.0, $"initial loss {losses[0]} should be near ln(16) = 2.77");
        // At lr 1e-2 AdamW has occasional loss spikes after memorising (seen on seeds 1–6, before and after the
        // cpu exp changed), so the last 50 steps' median is what says the sequences are memorised, not one step.
        float settled = losses.TakeLast(50).Order().ElementAt(25);
        Assert.True(settled < 0.05f, $"median loss over the last 50 steps {settled} is not below 0.05");
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_after_50_steps_with_dropout()
    {
        var config = Small with { Dropout = 0.1f };
        var (a, la) = Train(config, steps: 50, lr: 3e-3f, seed: 7);
        var (b, lb) = Train(config, steps: 50, lr: 3e-3f, seed: 7);
        Assert.Equal(a, b);
        Assert.Equal(la, lb);
        var (c, _) = Train(config, steps: 50, lr: 3e-3f, seed: 8);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Initialisation_follows_mingpt()
    {
        using var be = BackendRegistry.Create("cpu");
        var config = new GptConfig { NLayer = 4, NHead = 4, NEmbd = 64, BlockSize = 32, VocabSize = 50 };
        using var model = new Gpt(be, config);
        model.InitializeWeights(3);
        static double Std(float[] x) => Math.Sqrt(x.Select(v => (double)v * v).Average());
        Assert.InRange(Std(model.Param("transformer.h.0.attn.c_attn.weight").ToArray()), 0.019, 0.021);
        Assert.InRange(Std(model.Param("transformer.h.0.mlp.c_proj.weight").ToArray()), 0.02 / Math.Sqrt(8) * 0.95, 0.02 / Math.Sqrt(8) * 1.05);
        Assert.All(model.Param("transformer.h.2.ln_1.weight").ToArray(), v => Assert.Equal(1f, v));
        Assert.All(model.Param("transformer.h.2.mlp.c_fc.bias").ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Cpu_and_reference_backends_agree_on_a_dropout_training_step()
    {
        var config = Small with { Dropout = 0.2f, NLayer = 1 };
        var (tokens, targets) = FixedSequences(4, config.BlockSize, config.VocabSize);
        float[] Step(string backend)
        {
            using var be = BackendRegistry.Create(backend);
            using var model = new Gpt(be, config);
            model.InitializeWeights(5);
            model.Forward(tokens, targets, 4, config.BlockSize, training: true, dropoutSeed: 11);
            model.Backward();
            return model.Gradients.ToArray();
        }
        double[] cpu = Step("cpu").Select(v => (double)v).ToArray(), reference = Step("reference").Select(v => (double)v).ToArray();
        Numerics.Close(reference, cpu, 1e-4, "gradients with dropout");
    }
}
