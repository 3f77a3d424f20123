using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Benchmarking;

/// <summary>Times one full training step (forward, backward, AdamW) of a GPT on random tokens.</summary>
public static class StepBenchmark
{
    /// <summary>Forward plus backward FLOPs per token: 6 per parameter in the matmuls plus the attention products.</summary>
    public static double FlopsPerToken(GptConfig config, int t)
    {
        ArgumentNullException.ThrowIfNull(config);
        long c = config.NEmbd;
        long matmulParams = config.NLayer * 12 * c * c + config.VocabSize * c;
        // q·k and p·v, forward and backward, over the causal half on average.
        double attention = config.NLayer * 6.0 * c * t;
        return 6.0 * matmulParams + attention;
    }

    /// <summary>Runs the benchmark for <paramref name="batch"/> sequences of length <paramref name="t"/>.</summary>
    public static BenchResult Run(IBackend backend, GptConfig config, int batch, int t)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var model = new Gpt(backend, config);
        model.InitializeWeights(1337);
        using var opt = new AdamW(model, new AdamWConfig { LearningRate = 1e-4f, Beta2 = 0.999f, WeightDecay = 0f });
        var tokens = new int[batch * t];
        var targets = new int[batch * t];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = (int)(Kernels.CounterHash.Mix(7, (ulong)i) % (ulong)config.VocabSize);
            targets[i] = (int)(Kernels.CounterHash.Mix(8, (ulong)i) % (ulong)config.VocabSize);
        }
        double ms = Stopwatches.MedianMilliseconds(() =>
        {
            model.Forward(tokens, targets, batch, t, training: true);
            model.Backward();
            opt.Step(1e-4f);
            backend.Synchronize();
        }, warmup: 2, minRuns: 5, minSeconds: 2.0);
        double tokensPerStep = (double)batch * t;
        return new BenchResult(ms, FlopsPerToken(config, t) * tokensPerStep / (ms * 1e6), tokensPerStep / (ms / 1000.0));
    }
}
