using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Benchmarking;

/// <summary>Times one full training step (forward, backward, AdamW) of a GPT on random tokens.</summary>
internal static class StepBenchmark
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

    /// <summary>
    /// Per-operation milliseconds of one training step (the median step's share is not separable, so this is the mean
    /// over <paramref name="steps"/> steps after a warm-up), most expensive first.
    /// </summary>
    public static IReadOnlyList<(string Op, double Ms, long Calls)> Breakdown(IBackend backend, GptConfig config, int batch, int t, int steps = 5)
    {
        var profiler = new ProfilingBackend(backend);
        using var harness = new Harness(profiler, config, batch, t);
        harness.Step();
        profiler.Reset();
        for (int i = 0; i < steps; i++) harness.Step();
        return profiler.Totals.Select(kv => (kv.Key, kv.Value.Ms / steps, kv.Value.Calls / steps)).OrderByDescending(x => x.Item2).ToList();
    }

    /// <summary>Runs the benchmark for <paramref name="batch"/> sequences of length <paramref name="t"/>.</summary>
    public static BenchResult Run(IBackend backend, GptConfig config, int batch, int t)
    {
        using var harness = new Harness(backend, config, batch, t);
        double ms = Stopwatches.MedianMilliseconds(harness.Step, warmup: 2, minRuns: 5, minSeconds: 2.0);
        double tokensPerStep = (double)batch * t;
        return new BenchResult(ms, FlopsPerToken(config, t) * tokensPerStep / (ms * 1e6), tokensPerStep / (ms / 1000.0));
    }

    /// <summary>The anchors' two models (shared/anchors): vocab 64, tied head, batch 32, no dropout.</summary>
    public static (GptConfig Config, int Batch) Anchor(string name) => name switch
    {
        "small" => (new GptConfig { NLayer = 2, NHead = 4, NEmbd = 128, BlockSize = 64, VocabSize = 64, TiedEmbeddings = true }, 32),
        "paper-like" => (new GptConfig { NLayer = 6, NHead = 6, NEmbd = 192, BlockSize = 256, VocabSize = 64, TiedEmbeddings = true }, 32),
        _ => throw new InvalidConfigException($"unknown benchmark config '{name}'; use small or paper-like"),
    };

    /// <summary>Median milliseconds of one inference forward pass (no targets, no dropout) at <paramref name="batch"/>.</summary>
    public static double ForwardLatency(IBackend backend, GptConfig config, int batch, int t)
    {
        using var harness = new Harness(backend, config, batch, t);
        return Stopwatches.MedianMilliseconds(harness.Forward, warmup: 3, minRuns: 10, minSeconds: 1.0);
    }

    /// <summary>A model, its optimizer and a fixed random batch: one training step per <see cref="Step"/>.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly IBackend _backend;
        private readonly Gpt _model;
        private readonly AdamW _opt;
        private readonly int[] _tokens, _targets;
        private readonly int _batch, _t;

        public Harness(IBackend backend, GptConfig config, int batch, int t)
        {
            ArgumentNullException.ThrowIfNull(config);
            _backend = backend;
            _batch = batch;
            _t = t;
            _model = new Gpt(backend, config);
            _model.InitializeWeights(1337);
            _opt = new AdamW(_model, new AdamWConfig { LearningRate = 1e-4f, Beta2 = 0.999f, WeightDecay = 0f });
            _tokens = new int[batch * t];
            _targets = new int[batch * t];
            for (int i = 0; i < _tokens.Length; i++)
            {
                _tokens[i] = (int)(Kernels.CounterHash.Mix(7, (ulong)i) % (ulong)config.VocabSize);
                _targets[i] = (int)(Kernels.CounterHash.Mix(8, (ulong)i) % (ulong)config.VocabSize);
            }
        }

        public void Step()
        {
            _model.TrainStep(_tokens, _targets, _batch, _t, dropoutSeed: 0);
            _opt.Step(1e-4f);
            _backend.Synchronize();
        }

        public void Forward()
        {
            _model.Forward(_tokens, [], _batch, _t);
            _backend.Synchronize();
        }

        public void Dispose()
        {
            _opt.Dispose();
            _model.Dispose();
        }
    }
}
