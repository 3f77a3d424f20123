using BenchmarkDotNet.Attributes;
using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Benchmarks;

/// <summary>One training step (forward, backward, AdamW) of the anchors' two models: vocab 64, tied head, batch 32.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private IBackend _be = null!;
    private Gpt _model = null!;
    private AdamW _opt = null!;
    private int[] _tokens = [], _targets = [];

    [Params("small", "paper-like")]
    public string Config { get; set; } = "";

    private const int Batch = 32;

    [GlobalSetup]
    public void Setup()
    {
        var config = Config == "small"
            ? new GptConfig { NLayer = 2, NHead = 4, NEmbd = 128, BlockSize = 64, VocabSize = 64, TiedEmbeddings = true }
            : new GptConfig { NLayer = 6, NHead = 6, NEmbd = 192, BlockSize = 256, VocabSize = 64, TiedEmbeddings = true };
        _be = BackendRegistry.Create("cpu");
        _model = new Gpt(_be, config);
        _model.InitializeWeights(1337);
        _opt = new AdamW(_model, new AdamWConfig { LearningRate = 1e-4f, Beta2 = 0.999f, WeightDecay = 0f });
        int n = Batch * config.BlockSize;
        _tokens = Enumerable.Range(0, n).Select(i => (int)(Kernels.CounterHash.Mix(7, (ulong)i) % 64)).ToArray();
        _targets = Enumerable.Range(0, n).Select(i => (int)(Kernels.CounterHash.Mix(8, (ulong)i) % 64)).ToArray();
    }

    [Benchmark]
    public float Step()
    {
        float loss = _model.Forward(_tokens, _targets, Batch, _model.Config.BlockSize, training: true);
        _model.Backward();
        _opt.Step(1e-4f);
        return loss;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _opt.Dispose();
        _model.Dispose();
        _be.Dispose();
    }
}
