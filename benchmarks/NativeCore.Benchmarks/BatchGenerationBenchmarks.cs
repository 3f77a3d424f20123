using BenchmarkDotNet.Attributes;
using NativeCore.Tasks;

namespace NativeCore.Benchmarks;

/// <summary>
/// Generating one paper-size batch (96 sequences of 259 tokens, all five tasks) on one thread, as the prefetcher does.
/// Compare with <see cref="TrainingStepBenchmarks"/>: the issue asks for under 5% of a training step.
/// </summary>
[MemoryDiagnoser]
public class BatchGenerationBenchmarks
{
    private readonly PretrainingData _pretraining = new(new DataConfig(), seed: 1);
    private readonly FinetuningData _finetuning = new(new DataConfig(), TaskKind.C, correlatedShare: 1.0, seed: 1);
    private long _step;

    [Benchmark]
    public Batch PretrainingBatch() => _pretraining.Batch(_step++, 96);

    /// <summary>The worst case: every slot rejection-sampled until count(b) = count(a) + 1.</summary>
    [Benchmark]
    public Batch FullyCorrelatedFinetuningBatch() => _finetuning.Batch(_step++, 96);
}
